import { loadConfig } from '@parley/config';
import { runMigrationCli } from '@parley/db';
import { configSchema } from './config.js';
import { createChatSocketDataSource } from './database.js';

/** Only what migrating needs, so a Helm hook job runs with the database settings alone. */
const migrateConfigSchema = configSchema.pick({ DATABASE_URL: true, DATABASE_POOL_SIZE: true, LOG_LEVEL: true });

/** Applies pending migrations of the `chat` schema (this service owns them), then exits (npm run migrate, Helm hook job). */
process.exitCode = await runMigrationCli({
  name: 'chat-socket-migrate',
  loadConfig: () => loadConfig(migrateConfigSchema),
  createDataSource: createChatSocketDataSource,
});
