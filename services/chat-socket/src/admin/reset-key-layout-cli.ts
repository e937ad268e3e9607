import { loadConfig, ConfigError } from '@parley/config';
import { createLogger } from '@parley/logger';
import { closeRedis, createRedis } from '@parley/redis';
import { configSchema } from '../config.js';
import { resetMessageKeyLayout } from './reset-key-layout.js';

/**
 * `npm run messages:reset-key-layout`: before changing MESSAGE_QUEUE_SHARDS or MESSAGE_SHARD_KEYS
 * on an install that runs MESSAGE_SHARD_KEYS=shard (docs/runbooks/message-shard-keys.md).
 * Reads REDIS_URL and REDIS_KEY_PREFIX like chat-socket. Exit 0 when reset or nothing recorded,
 * 1 when refused.
 */
async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(configSchema.pick({ REDIS_URL: true, REDIS_KEY_PREFIX: true }), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  const logger = createLogger({ service: 'reset-key-layout', level: 'warn' });
  const redis = createRedis({ url: config.REDIS_URL, name: 'reset-key-layout', logger, maxRetriesPerRequest: 1 });
  try {
    const outcome = await resetMessageKeyLayout(redis, config.REDIS_KEY_PREFIX);
    if (outcome.kind === 'refused') {
      process.stderr.write(`refused: ${outcome.reason}\n`);
      return 1;
    }
    process.stdout.write(
      outcome.kind === 'reset'
        ? `reset the message-key layout ${outcome.layout}: deleted ${outcome.deletedKeys} room counter and window key(s); start chat-socket with the new layout\n`
        : 'no message-key layout is recorded: nothing to reset\n',
    );
    return 0;
  } finally {
    await closeRedis(redis);
  }
}

process.exitCode = await main();
