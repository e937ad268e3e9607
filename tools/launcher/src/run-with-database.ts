import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { loadLauncherConfig } from './launcher-config.js';
import { launcherError } from './launcher-log.js';
import { REPO_ROOT } from './platform.js';
import { providePostgres } from './postgres-provider.js';

/**
 * `node run-with-database.js <script> [args…]`: runs a service CLI (admin grant, …) with
 * DATABASE_URL set — the given one, or the embedded PostgreSQL of `npm start` (reused if running).
 */
async function runWithDatabase(): Promise<number> {
  const [script, ...args] = process.argv.slice(2);
  if (!script) throw new Error('usage: run-with-database <script.js> [args…]');
  const config = loadLauncherConfig();
  const postgres = await providePostgres({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, port: config.PARLEY_POSTGRES_PORT });
  try {
    return await new Promise<number>((done) => {
      const child = spawn(process.execPath, [resolve(REPO_ROOT, script), ...args], {
        env: { ...process.env, DATABASE_URL: postgres.url },
        stdio: 'inherit',
      });
      child.once('exit', (code) => done(code ?? 1));
    });
  } finally {
    await postgres.stop();
  }
}

runWithDatabase()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    launcherError(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
