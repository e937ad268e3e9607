import { fileURLToPath } from 'node:url';
import { LOAD_USAGE, parseLoadOptions } from './cli-options.js';
import { runLoad } from './run-load.js';
import { consoleOutput } from './scenarios/scenario-output.js';

/** `npm run load -- --scenario fanout --sockets 2000 --room-size 10 --rate 500 --duration 60s` */
const DEFAULT_REPORT_DIR = fileURLToPath(new URL('../../reports', import.meta.url));

async function main(): Promise<void> {
  let options;
  try {
    options = parseLoadOptions(process.argv.slice(2), DEFAULT_REPORT_DIR);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${LOAD_USAGE}\n`);
    process.exit(2);
  }
  const abort = new AbortController();
  // First Ctrl-C stops sending and still reports; a second one exits at once.
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping: draining and writing the report (Ctrl-C again to quit)\n');
    abort.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const summary = await runLoad(options, consoleOutput(options.reportDir), abort.signal);
  process.exit(summary.ok ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`load test failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
