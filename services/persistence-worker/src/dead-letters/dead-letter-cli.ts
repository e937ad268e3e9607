import { runDeadLetterCommand } from './dead-letter-command.js';

/**
 * `node services/persistence-worker/dist/dead-letters/dead-letter-cli.js --list | --show <id>`
 * (root script: `npm run messages:dead-letter -- --list`, against npm start's database unless
 * DATABASE_URL is set).
 */
process.exitCode = await runDeadLetterCommand(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
