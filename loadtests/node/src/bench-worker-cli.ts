import { parseArgs } from 'node:util';
import { TEST_POSTGRES_URL } from '@parley/testing';
import { parsePositiveInt } from './cli-options.js';
import { runWorkerBenchmark } from './bench/worker-benchmark.js';
import { consoleOutput } from './scenarios/scenario-output.js';
import { runBenchCli } from './bench/bench-cli.js';

const USAGE = `Usage: npm run bench:worker -- [options]

Enqueues a fixed number of message jobs over the shards of the messages queue and measures the
rows per second the persistence worker stores with 1, 2 and 4 processes (each consuming every
shard). Uses a throwaway database on TEST_POSTGRES_URL's server and a fresh Redis prefix on
TEST_REDIS_URL. Prints the figures and a last JSON line.

  --jobs <n>         jobs per run (default 2000)
  --batch <n>        messages per job (default 20)
  --rooms <n>        rooms the messages spread over (default 500)
  --shards <n>       MESSAGE_QUEUE_SHARDS (default 4)
  --workers <list>   worker process counts, one run each (default 1,2,4)
  --timeout <s>      give up on a run after this long (default 300)`;

/** `npm run bench:worker`: stored message rows per second by worker process count. */
function parseWorkerOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      jobs: { type: 'string', default: '2000' },
      batch: { type: 'string', default: '20' },
      rooms: { type: 'string', default: '500' },
      shards: { type: 'string', default: '4' },
      workers: { type: 'string', default: '1,2,4' },
      timeout: { type: 'string', default: '300' },
    },
    strict: true,
  });
  const options = {
    jobs: parsePositiveInt(values.jobs, 'jobs'),
    batchSize: parsePositiveInt(values.batch, 'batch'),
    rooms: parsePositiveInt(values.rooms, 'rooms'),
    shards: parsePositiveInt(values.shards, 'shards'),
    workerCounts: values.workers.split(',').map((count) => parsePositiveInt(count.trim(), 'workers')),
    postgresServerUrl: TEST_POSTGRES_URL,
    timeoutMs: parsePositiveInt(values.timeout, 'timeout') * 1000,
  };
  if (options.shards > 64) throw new Error('--shards must be at most 64');
  if (options.rooms < options.shards) throw new Error('--rooms must be at least --shards');
  return options;
}

runBenchCli(USAGE, parseWorkerOptions, (options) => runWorkerBenchmark(options, consoleOutput('')));
