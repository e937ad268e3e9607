import { ConfigError, loadConfig } from '@parley/config';
import { runMigrations } from '@parley/db';
import { createLogger } from '@parley/logger';
import { configSchema } from './config.js';
import { createWorkerDataSource } from './database.js';

const migrateConfigSchema = configSchema.pick({ DATABASE_URL: true, DATABASE_POOL_SIZE: true, LOG_LEVEL: true });

/**
 * Applies pending migrations of the `chat` schema, then exits. chat-socket normally runs them;
 * this is the same list (@parley/chat-store) under the same advisory lock, so either may go first.
 */
async function migrate(): Promise<number> {
  let config;
  try {
    config = loadConfig(migrateConfigSchema, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 1;
  }
  const logger = createLogger({ service: 'persistence-worker-migrate', level: config.LOG_LEVEL });
  const dataSource = createWorkerDataSource(config);
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
