import { loadConfig } from '@parley/config';
import { runMigrationCli } from '@parley/db';
import { configSchema } from './config.js';
import { createWorkerDataSource } from './database.js';

const migrateConfigSchema = configSchema.pick({ DATABASE_URL: true, DATABASE_POOL_SIZE: true, LOG_LEVEL: true });

/**
 * Applies pending migrations of the `chat` schema, then exits. chat-socket normally runs them;
 * this is the same list (@parley/chat-store) under the same advisory lock, so either may go first.
 */
process.exitCode = await runMigrationCli({
  name: 'persistence-worker-migrate',
  loadConfig: () => loadConfig(migrateConfigSchema),
  createDataSource: createWorkerDataSource,
});
