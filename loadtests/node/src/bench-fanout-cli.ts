import { fileURLToPath } from 'node:url';
import { BENCH_USAGE, parseBenchOptions } from './bench/bench-options.js';
import { runBaselineBenchmark } from './bench/baseline-benchmark.js';
import { runFanoutBenchmark } from './bench/run-benchmark.js';
import { consoleOutput } from './scenarios/scenario-output.js';

/**
 * `npm run bench:fanout`: the fan-out benchmark on a platform it starts itself, alternated with
 * the bare socket.io baseline (or, with --alternations 0, one Parley run with the adapter comparison).
 */
const DEFAULT_REPORT_DIR = fileURLToPath(new URL('../../reports', import.meta.url));

async function main(): Promise<void> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2), DEFAULT_REPORT_DIR);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${BENCH_USAGE}\n`);
    process.exit(2);
  }
  const output = consoleOutput(options.reportDir);
  const summary = options.alternations > 0 ? await runBaselineBenchmark(options, output) : await runFanoutBenchmark(options, output);
  process.exit(summary.completed ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
