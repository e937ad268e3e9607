import { ConfigError } from '@parley/config';
import { runMigrations } from '@parley/db';
import { createLogger } from '@parley/logger';
import { loadChatSocketConfig } from './config.js';
import { createChatSocketDataSource } from './database.js';

/** Applies pending migrations of the `chat` schema, then exits (npm run migrate, Helm hook job). */
async function migrate(): Promise<number> {
  let config;
  try {
    config = loadChatSocketConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 1;
  }
  const logger = createLogger({ service: 'chat-socket-migrate', level: config.LOG_LEVEL });
  const dataSource = createChatSocketDataSource(config);
  try {
    await dataSource.initialize();
    const applied = await runMigrations(dataSource, logger);
    logger.info({ applied: applied.length }, 'chat schema is up to date');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'migration failed');
    return 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

process.exitCode = await migrate();
