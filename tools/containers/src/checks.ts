/** One check's outcome, as the tally recorded it. */
export interface CheckResult {
  name: string;
  passed: boolean;
  /** The detail of a passed check, the problem of a failed one. */
  detail: string;
}

/** The smoke test's own lines: `  ok    name (detail)` and `  FAIL  name: problem`. */
export function printCheckLine(result: CheckResult): void {
  if (result.passed) console.log(`  ok    ${result.name}${result.detail ? ` (${result.detail})` : ''}`);
  else console.log(`  FAIL  ${result.name}: ${result.detail}`);
}

/** The smoke test's tally: every check prints one line, the run ends with `N passed, N failed`. */
export class Checks {
  passed = 0;
  failed = 0;
  readonly failures: string[] = [];
  readonly results: CheckResult[] = [];

  constructor(private readonly print: (result: CheckResult) => void = printCheckLine) {}

  pass(name: string, detail = ''): void {
    this.passed += 1;
    this.record({ name, passed: true, detail });
  }

  fail(name: string, problem: string): void {
    this.failed += 1;
    this.failures.push(`${name}: ${problem}`);
    this.record({ name, passed: false, detail: problem });
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

  private record(result: CheckResult): void {
    this.results.push(result);
    this.print(result);
  }
}

export const section = (title: string) => console.log(`\n== ${title}`);
