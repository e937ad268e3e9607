/**
 * The process around a benchmark command: options that do not parse print the message and the
 * usage and exit 2; a finished run exits 0 when it completed and 1 when not; a thrown run prints
 * its stack and exits 1.
 */
export function runBenchCli<Options>(usage: string, parse: (argv: string[]) => Options, run: (options: Options) => Promise<{ completed: boolean }>): void {
  const main = async (): Promise<void> => {
    let options: Options;
    try {
      options = parse(process.argv.slice(2));
    } catch (error) {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
      process.exit(2);
    }
    const summary = await run(options);
    process.exit(summary.completed ? 0 : 1);
  };
  main().catch((error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
