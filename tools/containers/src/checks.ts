/** The smoke test's tally: every check prints one line, the run ends with `N passed, N failed`. */
export class Checks {
  passed = 0;
  failed = 0;
  readonly failures: string[] = [];

  pass(name: string, detail = ''): void {
    this.passed += 1;
    console.log(`  ok    ${name}${detail ? ` (${detail})` : ''}`);
  }

  fail(name: string, problem: string): void {
    this.failed += 1;
    this.failures.push(`${name}: ${problem}`);
    console.log(`  FAIL  ${name}: ${problem}`);
  }

  /** Runs `attempt`; a throw is a failed check. Returns the value, or undefined on failure. */
  async check<T>(name: string, attempt: () => Promise<T> | T, detail?: (value: T) => string): Promise<T | undefined> {
    try {
      const value = await attempt();
      this.pass(name, detail ? detail(value) : '');
      return value;
    } catch (error) {
      this.fail(name, error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  summary(): string {
    return `${this.passed} passed, ${this.failed} failed`;
  }
}

export const section = (title: string) => console.log(`\n== ${title}`);
