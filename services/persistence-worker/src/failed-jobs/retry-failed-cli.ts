import { runRetryFailedCommand } from './retry-failed-command.js';

/**
 * `node services/persistence-worker/dist/failed-jobs/retry-failed-cli.js --queue messages [--limit N] [--list]`
 * (root script: `npm run jobs:retry-failed -- --queue messages`).
 */
process.exitCode = await runRetryFailedCommand(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
