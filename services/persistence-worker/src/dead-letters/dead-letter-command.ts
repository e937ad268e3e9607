import { parseArgs } from 'node:util';
import { findDeadLetter, listDeadLetters } from '@parley/chat-store';
import { ConfigError, loadConfig } from '@parley/config';
import { configSchema } from '../config.js';
import { createWorkerDataSource } from '../database.js';
import type { CommandOutput } from '../failed-jobs/retry-failed-command.js';

export const DEAD_LETTER_USAGE = `Usage: npm run messages:dead-letter -- --list [--limit N]
       npm run messages:dead-letter -- --show <id>

  --list    the newest dead letters: id, time, reason, SQLSTATE, message id, room, sender, error
  --limit   list at most N (default 50)
  --show    one dead letter in full, with the message as its job carried it (JSON)

Dead letters are acknowledged messages the persistence worker could not store (PostgreSQL
refused the row, or the message was malformed); the rest of their batch was stored.
See docs/runbooks/parley-messages-dead-lettered.md. Reads DATABASE_URL like the worker.`;

/** Only the variables the command needs, so it runs without REDIS_URL. */
const commandConfigSchema = configSchema.pick({ DATABASE_URL: true });

/** `dead-letter-cli.js` without the process: returns the exit code. */
export async function runDeadLetterCommand(argv: string[], env: Record<string, string | undefined>, output: CommandOutput): Promise<number> {
  let options;
  try {
    options = parseArgs({
      args: argv,
      options: {
        list: { type: 'boolean', default: false },
        limit: { type: 'string' },
        show: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    output.err(`${error instanceof Error ? error.message : String(error)}\n\n${DEAD_LETTER_USAGE}`);
    return 2;
  }
  if (options.help) {
    output.out(DEAD_LETTER_USAGE);
    return 0;
  }
  if (options.list === (options.show !== undefined)) {
    output.err(`use either --list or --show <id>\n\n${DEAD_LETTER_USAGE}`);
    return 2;
  }
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    output.err(`--limit must be a positive integer\n\n${DEAD_LETTER_USAGE}`);
    return 2;
  }

  let config;
  try {
    config = loadConfig(commandConfigSchema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.err(error.message);
    return 1;
  }

  const dataSource = createWorkerDataSource({ DATABASE_URL: config.DATABASE_URL, DATABASE_POOL_SIZE: 1 });
  try {
    await dataSource.initialize();
    if (options.show !== undefined) {
      const letter = await findDeadLetter(dataSource, options.show);
      if (!letter) {
        output.err(`no dead letter with id ${options.show}`);
        return 1;
      }
      output.out(JSON.stringify(letter, null, 2));
      return 0;
    }
    const letters = await listDeadLetters(dataSource, limit);
    for (const letter of letters) {
      output.out(
        [letter.id, letter.deadLetteredAt, letter.reason, letter.sqlstate ?? '-', letter.messageId ?? '-', letter.roomId ?? '-', letter.senderId ?? '-', oneLine(letter.error)].join('\t'),
      );
    }
    output.out(`${letters.length} dead letter(s) shown, newest first`);
    return 0;
  } catch (error) {
    output.err(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
