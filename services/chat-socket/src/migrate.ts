import { ensureSearchIndex } from '@parley/chat-store';
import { loadConfig } from '@parley/config';
import { runMigrationCli } from '@parley/db';
import { createLogger } from '@parley/logger';
import { configSchema } from './config.js';
import { createChatSocketDataSource } from './database.js';

/** Only what migrating needs, so a Helm hook job runs with the database settings alone. */
const migrateConfigSchema = configSchema.pick({ DATABASE_URL: true, DATABASE_POOL_SIZE: true, LOG_LEVEL: true, SEARCH_LANGUAGE: true });

/**
 * Applies pending migrations of the `chat` schema (this service owns them), then creates the
 * search index of SEARCH_LANGUAGE if it is missing, then exits (npm run migrate, Helm hook job).
 */
let exitCode = await runMigrationCli({
  name: 'chat-socket-migrate',
  loadConfig: () => loadConfig(migrateConfigSchema),
  createDataSource: createChatSocketDataSource,
});
if (exitCode === 0) {
  const config = loadConfig(migrateConfigSchema);
  const logger = createLogger({ service: 'chat-socket-migrate', level: config.LOG_LEVEL });
  const dataSource = createChatSocketDataSource(config);
  try {
    await dataSource.initialize();
    if (await ensureSearchIndex(dataSource, config.SEARCH_LANGUAGE)) logger.info({ language: config.SEARCH_LANGUAGE }, 'message search index created');
  } catch (error) {
    logger.error({ err: error }, 'creating the message search index failed');
    exitCode = 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}
process.exitCode = exitCode;
