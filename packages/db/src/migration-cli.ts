import type { DataSource } from 'typeorm';
import { createLogger } from '@parley/logger';
import { runMigrations } from './create-data-source.js';

export interface MigrationCliSettings<Config extends { LOG_LEVEL: string }> {
  /** Shown in logs, e.g. `user-migrate`. */
  name: string;
  /** Reads and validates the service's configuration; a thrown error is printed as is. */
  loadConfig(): Config;
  createDataSource(config: Config): DataSource;
}

/**
 * The body of every service's `migrate.js` (npm run migrate, Helm hook jobs): apply pending
 * migrations of the service's schema and return the process exit code.
 */
export async function runMigrationCli<Config extends { LOG_LEVEL: string }>(settings: MigrationCliSettings<Config>): Promise<number> {
  let config: Config;
  try {
    config = settings.loadConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const logger = createLogger({ service: settings.name, level: config.LOG_LEVEL as 'info' });
  const dataSource = settings.createDataSource(config);
  try {
    await dataSource.initialize();
    const applied = await runMigrations(dataSource, logger);
    logger.info({ applied: applied.length }, 'schema is up to date');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'migration failed');
    return 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}
