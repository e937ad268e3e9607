import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseConnection, runMigrations } from '@parley/db';
import { createLogger } from '@parley/logger';
import { startPrivatePostgres, type PrivatePostgres } from '@parley/testing';
import { AUTH_MIGRATIONS, createAuthDataSource } from '../src/database.js';
import { registerAccount, startAuthTestApp, type AuthTestApp } from './support/auth-test-app.js';

async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const readiness = async (app: AuthTestApp) => app.request('GET', '/readyz', {}, app.adminUrl);

describe('auth and its PostgreSQL', () => {
  let postgres: PrivatePostgres;
  const apps: AuthTestApp[] = [];

  beforeAll(async () => {
    // A private server, so stopping it touches no other test's database.
    postgres = await startPrivatePostgres();
    await postgres.stop();
  }, 60_000);
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(async () => {
    await postgres?.destroy();
  });

  it('starts while PostgreSQL is down, is live but not ready, answers 503, and serves once PostgreSQL comes up', async () => {
    const app = await startAuthTestApp({ DATABASE_URL: postgres.url }, 'auth_late_pg');
    apps.push(app);

    expect((await app.get('/healthz')).status).toBe(200);
    const notReady = await readiness(app);
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.postgres).toMatch(/^failed/);
    expect(notReady.body.checks.redis).toBe('ok');
    const refused = await app.post('/api/v1/auth/register', { email: 'early@example.com', username: 'early_bird', password: 'a long passphrase here' });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
    // Token verification by other services keeps working: the JWKS needs no database.
    expect((await app.get('/.well-known/jwks.json')).status).toBe(200);

    await postgres.start();
    const ready = await eventually(async () => {
      const response = await readiness(app);
      return response.status === 200 ? response : undefined;
    }, 'auth to become ready');
    expect(ready.body.checks).toMatchObject({ postgres: 'ok', schema: 'ok' });
    const account = await registerAccount(app);
    expect(account.session.accessToken).toEqual(expect.any(String));
  });

  it('keeps retrying in the background with backoff, so an idle pod connects without any request or probe', async () => {
    await postgres.stop();
    const dataSource = createAuthDataSource({ url: postgres.url, poolSize: 2 });
    const database = createDatabaseConnection(dataSource, {
      logger: createLogger({ service: 'auth-test', level: 'silent' }),
      migrateOnStart: true,
      retryAfterMs: 100,
      maxBackoffMs: 400,
    });
    try {
      await expect(database.ready()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await postgres.start();
      await eventually(async () => (dataSource.isInitialized ? true : undefined), 'a background reconnection');
      expect(await dataSource.query('SELECT count(*)::int AS n FROM auth.migrations')).toEqual([{ n: AUTH_MIGRATIONS.length }]);
    } finally {
      await database.close();
    }
  });

  it('is not ready before its migrations ran (the Helm hook still running), and ready once they did', async () => {
    const app = await startAuthTestApp({ DB_MIGRATE_ON_START: 'false' }, 'auth_schema');
    apps.push(app);

    const before = await readiness(app);
    expect(before.status).toBe(503);
    expect(before.body.checks).toMatchObject({ postgres: 'ok', schema: `failed: migrations not applied: ${AUTH_MIGRATIONS.map((migration) => migration.name).join(', ')}` });

    const dataSource = createAuthDataSource({ url: app.database.url, poolSize: 2 });
    await dataSource.initialize();
    try {
      await runMigrations(dataSource, createLogger({ service: 'auth-migrate-test', level: 'silent' }));
    } finally {
      await dataSource.destroy();
    }

    const after = await readiness(app);
    expect(after.status).toBe(200);
    expect(after.body.checks.schema).toBe('ok');
    await registerAccount(app);
  });
});
