import { loadLauncherConfig } from './launcher-config.js';
import { launcherError, launcherLog } from './launcher-log.js';
import { REPO_ROOT } from './platform.js';
import { providePostgres } from './postgres-provider.js';
import { builtServices, entryPoint } from './service-catalog.js';
import { runToCompletion } from './service-supervisor.js';

/** `npm run migrate`: every service's migrations against DATABASE_URL (or the embedded PostgreSQL). */
async function migrateAll(): Promise<void> {
  const config = loadLauncherConfig();
  const postgres = await providePostgres({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, port: config.PARLEY_POSTGRES_PORT });
  try {
    for (const service of builtServices(REPO_ROOT).filter((candidate) => candidate.migrates)) {
      await runToCompletion(`${service.name}:migrate`, entryPoint(REPO_ROOT, service, 'migrate.js'), {
        DATABASE_URL: postgres.url,
        LOG_LEVEL: config.LOG_LEVEL,
      });
    }
    launcherLog('migrations complete');
  } finally {
    await postgres.stop();
  }
}

migrateAll().catch((error: unknown) => {
  launcherError(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
