import { fileURLToPath } from 'node:url';
import { BENCH_USAGE, parseBenchOptions } from './bench/bench-options.js';
import { runFanoutBenchmark } from './bench/run-benchmark.js';
import { consoleOutput } from './scenarios/scenario-output.js';

/** `npm run bench:fanout`: issue #3's fan-out benchmark on a platform it starts itself. */
const DEFAULT_REPORT_DIR = fileURLToPath(new URL('../../reports', import.meta.url));

async function main(): Promise<void> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2), DEFAULT_REPORT_DIR);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${BENCH_USAGE}\n`);
    process.exit(2);
  }
  const summary = await runFanoutBenchmark(options, consoleOutput(options.reportDir));
  process.exit(summary.completed ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
