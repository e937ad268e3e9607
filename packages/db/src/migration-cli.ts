import type { DataSource } from 'typeorm';
import { createLogger } from '@parley/logger';
import { runMigrations } from './create-data-source.js';

/** What a migration run needs: the database settings and a log level, nothing else. */
export interface MigrationConfig {
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  LOG_LEVEL: string;
}

export interface MigrationCliSettings {
  /** Shown in logs, e.g. `user-migrate`. */
  name: string;
  /** Reads and validates the migration settings; a thrown error is printed as is. */
  loadConfig(): MigrationConfig;
  createDataSource(config: MigrationConfig): DataSource;
}

/**
 * The body of every service's `migrate.js` (npm run migrate, Helm hook jobs): apply pending
 * migrations of the service's schema and return the process exit code.
 */
export async function runMigrationCli(settings: MigrationCliSettings): Promise<number> {
  let config: MigrationConfig;
  try {
    config = settings.loadConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const logger = createLogger({ service: settings.name, level: config.LOG_LEVEL });
  // At least two connections: runMigrations holds one for its advisory lock while migrating on another.
  const dataSource = settings.createDataSource({ ...config, DATABASE_POOL_SIZE: Math.max(2, config.DATABASE_POOL_SIZE) });
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
