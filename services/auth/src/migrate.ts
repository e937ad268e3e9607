import { loadConfig } from '@parley/config';
import { runMigrationCli } from '@parley/db';
import { configSchema } from './config.js';
import { createAuthDataSource } from './database.js';

/** Only what migrating needs, so a Helm hook job runs with the database settings alone. */
const migrateConfigSchema = configSchema.pick({ DATABASE_URL: true, DATABASE_POOL_SIZE: true, LOG_LEVEL: true });

/** `npm run migrate` / the Kubernetes migration hook: applies pending migrations of the `auth` schema, then exits. */
process.exitCode = await runMigrationCli({
  name: 'auth-migrate',
  loadConfig: () => loadConfig(migrateConfigSchema),
  createDataSource: (config) =>
    createAuthDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, applicationName: 'parley-auth-migrate' }),
});
