import { ConfigError } from '@parley/config';
import { runMigrations } from '@parley/db';
import { createLogger } from '@parley/logger';
import { loadAuthConfig } from './config.js';
import { createAuthDataSource } from './database.js';

/** `npm run migrate` / the Kubernetes migration hook: applies pending migrations, then exits. */
async function migrate(): Promise<void> {
  const config = loadAuthConfig();
  const logger = createLogger({ service: 'auth-migrate', level: config.LOG_LEVEL });
  // Two connections: runMigrations holds one for its advisory lock while migrating on another.
  const dataSource = createAuthDataSource({ url: config.DATABASE_URL, poolSize: 2, applicationName: 'parley-auth-migrate' });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource, logger);
    logger.info({ applied: applied.length }, applied.length > 0 ? 'auth schema migrated' : 'auth schema already up to date');
  } finally {
    await dataSource.destroy();
  }
}

migrate().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `auth migration failed: ${String((error as Error)?.stack ?? error)}`}\n`);
    process.exit(1);
  },
);
