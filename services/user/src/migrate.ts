import { ConfigError } from '@parley/config';
import { runMigrations } from '@parley/db';
import { createLogger } from '@parley/logger';
import { loadUserServiceConfig, type UserServiceConfig } from './config.js';
import { createUserDataSource } from './database.js';

/** Applies pending migrations of the `users` schema, then exits (npm run migrate, Helm hook job). */
async function migrate(): Promise<number> {
  let config: UserServiceConfig;
  try {
    config = loadUserServiceConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 1;
  }
  const logger = createLogger({ service: 'user-migrate', level: config.LOG_LEVEL });
  const dataSource = createUserDataSource(config);
  try {
    await dataSource.initialize();
    const applied = await runMigrations(dataSource, logger);
    logger.info({ applied: applied.length }, 'user schema is up to date');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'migration failed');
    return 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

process.exitCode = await migrate();
