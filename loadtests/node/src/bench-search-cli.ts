import { parseArgs } from 'node:util';
import { parsePositiveInt } from './cli-options.js';
import { runSearchBenchmark } from './bench/search-benchmark.js';
import { consoleOutput } from './scenarios/scenario-output.js';
import { runBenchCli } from './bench/bench-cli.js';

const USAGE = `Usage: npm run bench:search -- [options]

Loads a throwaway database (private PostgreSQL unless --postgres-server), starts one chat-socket
process on it, and times GET /api/v1/search/messages for words of decreasing frequency, across
the user's rooms and within one. Prints the figures, each query's plan summary and a last JSON line.

  --messages <n>        messages (default 1000000)
  --rooms <n>           rooms (default 10000)
  --user-rooms <n>      rooms the searching user is in (default 50)
  --iterations <n>      timed requests per query and scope (default 200)
  --postgres-server <url>  create the throwaway database on this server instead`;

/** `npm run bench:search`: message search latency on a million messages. */
function parseSearchOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '1000000' },
      rooms: { type: 'string', default: '10000' },
      'user-rooms': { type: 'string', default: '50' },
      iterations: { type: 'string', default: '200' },
      'postgres-server': { type: 'string' },
    },
    strict: true,
  });
  const options = {
    messages: parsePositiveInt(values.messages, '--messages'),
    rooms: parsePositiveInt(values.rooms, '--rooms'),
    userRooms: parsePositiveInt(values['user-rooms'], '--user-rooms'),
    iterations: parsePositiveInt(values.iterations, '--iterations'),
    postgresServerUrl: values['postgres-server'],
  };
  if (options.userRooms > options.rooms) throw new Error('--user-rooms must not exceed --rooms');
  if (options.messages < 10) throw new Error('--messages must be at least 10');
  return options;
}

runBenchCli(USAGE, parseSearchOptions, (options) => runSearchBenchmark(options, consoleOutput('')));
