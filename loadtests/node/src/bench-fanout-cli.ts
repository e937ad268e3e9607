import { fileURLToPath } from 'node:url';
import { BENCH_USAGE, effectiveBackgroundNice, parseBenchOptions } from './bench/bench-options.js';
import { runBaselineBenchmark } from './bench/baseline-benchmark.js';
import { runBenchCli } from './bench/bench-cli.js';
import { raiseGeneratorPriority, relaunchInOwnSession } from './bench/generator-priority.js';
import { runFanoutBenchmark } from './bench/run-benchmark.js';
import { consoleOutput } from './scenarios/scenario-output.js';

/**
 * `npm run bench:fanout`: the fan-out benchmark on a platform it starts itself, alternated with
 * the bare socket.io baseline (or, with --alternations 0, one Parley run with the adapter comparison).
 */
const DEFAULT_REPORT_DIR = fileURLToPath(new URL('../../reports', import.meta.url));

runBenchCli(
  BENCH_USAGE,
  (argv) => parseBenchOptions(argv, DEFAULT_REPORT_DIR),
  async (options) => {
    const relaunched = relaunchInOwnSession(options.generatorNice);
    if (relaunched) return { completed: (await relaunched) === 0 };
    const output = consoleOutput(options.reportDir);
    const priority = raiseGeneratorPriority(options.generatorNice);
    output.status(`load generator priority: ${priority.description}`);
    output.status(`Parley's worker and embedded PostgreSQL: niceness ${effectiveBackgroundNice(options)} (--background-nice)`);
    const run = { ...options, generatorNice: priority.nice };
    return run.alternations > 0 ? runBaselineBenchmark(run, output) : runFanoutBenchmark(run, output);
  },
);
