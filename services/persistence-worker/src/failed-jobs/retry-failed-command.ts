import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@parley/config';
import { createLogger } from '@parley/logger';
import { ALL_QUEUES, isMessageQueueName, isQueueName, openQueue, shardOfMessageQueue } from '@parley/queues';
import { closeRedis, createRedis } from '@parley/redis';
import { configSchema } from '../config.js';
import { listFailedJobs, retryFailedJobs } from './failed-jobs.js';

const QUEUES = ALL_QUEUES;

export const RETRY_FAILED_USAGE = `Usage: npm run jobs:retry-failed -- --queue <${QUEUES.join('|')}|messages-N> [--limit N] [--list]

  --queue   queue whose failed jobs to handle (required); messages-N is shard N of messages
  --limit   handle at most N failed jobs, oldest first
  --list    print the failed jobs (id, failure time, attempts, reason) instead of retrying them

Retrying moves failed jobs back to the queue with a fresh retry budget; fix the cause first.
Reads REDIS_URL, REDIS_KEY_PREFIX and MESSAGE_SHARD_KEYS (where messages-N lives) like the worker.`;

/** Only the variables the command needs, so it runs without a DATABASE_URL. */
const commandConfigSchema = configSchema.pick({ REDIS_URL: true, REDIS_KEY_PREFIX: true, MESSAGE_SHARD_KEYS: true });

export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

/** `retry-failed-cli.js` without the process: returns the exit code. */
export async function runRetryFailedCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  output: CommandOutput,
): Promise<number> {
  let options;
  try {
    options = parseArgs({
      args: argv,
      options: {
        queue: { type: 'string' },
        limit: { type: 'string' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    output.err(`${error instanceof Error ? error.message : String(error)}\n\n${RETRY_FAILED_USAGE}`);
    return 2;
  }
  if (options.help) {
    output.out(RETRY_FAILED_USAGE);
    return 0;
  }
  if (!options.queue || !(isQueueName(options.queue) || isMessageQueueName(options.queue))) {
    output.err(`--queue must be one of: ${QUEUES.join(', ')}, messages-N\n\n${RETRY_FAILED_USAGE}`);
    return 2;
  }
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    output.err(`--limit must be a positive integer\n\n${RETRY_FAILED_USAGE}`);
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

  const logger = createLogger({ service: 'retry-failed-jobs', level: 'warn' });
  const redis = createRedis({ url: config.REDIS_URL, name: 'retry-failed-jobs', logger, maxRetriesPerRequest: 1 });
  const connection = { connection: redis, installPrefix: config.REDIS_KEY_PREFIX };
  const queue = isMessageQueueName(options.queue)
    ? openQueue('messages', { ...connection, shard: shardOfMessageQueue(options.queue), shardKeys: config.MESSAGE_SHARD_KEYS })
    : openQueue(options.queue as (typeof QUEUES)[number], connection);
  try {
    if (options.list) {
      const failed = await listFailedJobs(queue, limit);
      for (const job of failed) {
        output.out(`${job.id}\t${job.failedAt ?? '-'}\tattempts=${job.attemptsMade}\t${job.name}\t${job.failedReason}`);
      }
      output.out(`${failed.length} failed job(s) in queue ${options.queue}`);
    } else {
      const retried = await retryFailedJobs(queue, limit);
      output.out(`re-queued ${retried.length} failed job(s) of queue ${options.queue}${retried.length > 0 ? `: ${retried.join(', ')}` : ''}`);
    }
    return 0;
  } catch (error) {
    output.err(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await queue.close().catch(() => undefined);
    await closeRedis(redis);
  }
}
