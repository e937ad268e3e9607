import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, runMigrations } from '@parley/db';
import { createLogger } from '@parley/logger';
import { createTestDatabase } from '@parley/testing';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AUTH_SCHEMA, createAuthDataSource } from '../src/database.js';
import { eventually, registerAccount, startAuthTestApp, unusedPort, waitForCode, type AuthTestApp, type TestAccount } from './support/auth-test-app.js';
import { sql } from './support/test-sql.js';

const INTERNAL_TOKEN = 'internal-token-for-tests-0123456789';

interface Recorded {
  method: string;
  url: string;
  body: unknown;
}

/** Stands in for the user service: records every request; answers 204, or `nextStatuses` in turn. */
async function startUserService(port: number) {
  const requests: Recorded[] = [];
  const nextStatuses: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body: body ? JSON.parse(body) : undefined });
      res.statusCode = nextStatuses.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    requests,
    nextStatuses,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('address state sent to the user service through the outbox', () => {
  let app: AuthTestApp;
  let userService: Awaited<ReturnType<typeof startUserService>>;

  beforeAll(async () => {
    const port = await unusedPort();
    userService = await startUserService(port);
    app = await startAuthTestApp({ USER_SERVICE_URL: `http://127.0.0.1:${port}`, INTERNAL_API_TOKEN: INTERNAL_TOKEN, OUTBOX_RELAY_INTERVAL_MS: '200' }, 'auth_email_state');
  });
  afterAll(async () => {
    await app?.close();
    await userService?.close();
  });

  const emailPath = (account: TestAccount) => `/internal/v1/profiles/${account.session.user.id}/email`;
  const emailMessages = (account: TestAccount) =>
    sql(app, `SELECT payload, delivered_at, last_error FROM auth.outbox WHERE kind = 'profile.email' AND payload->>'userId' = $1 ORDER BY created_at`, [
      account.session.user.id,
    ]);
  const verify = async (account: TestAccount) => {
    await app.post('/api/v1/auth/email/verify/request', undefined, { token: account.session.accessToken });
    const code = await waitForCode(app, account.email, 'email-verification');
    return app.post('/api/v1/auth/email/verify/confirm', { code }, { token: account.session.accessToken });
  };

  it('sends nothing before the address is confirmed, and the confirmation (version 1) once it is', async () => {
    const account = await registerAccount(app);
    expect(await emailMessages(account)).toEqual([]);
    expect(userService.requests.filter((request) => request.url === emailPath(account))).toEqual([]);

    expect((await verify(account)).status).toBe(200);

    const messages = await emailMessages(account);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      payload: { userId: account.session.user.id, email: account.email, emailVerified: true, version: 1 },
      delivered_at: expect.any(Date),
    });
    expect(userService.requests.filter((request) => request.url === emailPath(account))).toEqual([
      { method: 'PUT', url: emailPath(account), body: { email: account.email, emailVerified: true, version: 1 } },
    ]);
    expect((await sql(app, 'SELECT email_version FROM auth.credentials WHERE id = $1', [account.session.user.id]))[0]).toEqual({ email_version: 1 });
  });

  it('keeps retrying while the user service has no profile yet (404), until it answers', async () => {
    const account = await registerAccount(app);
    userService.nextStatuses.push(404, 404);
    expect((await verify(account)).status).toBe(200);
    const first = (await emailMessages(account))[0];
    expect(first).toMatchObject({ delivered_at: null, last_error: 'user service answered 404' });

    await eventually(async () => ((await emailMessages(account))[0]?.delivered_at ? true : undefined), 15_000, 'the confirmation to be delivered');
    const puts = userService.requests.filter((request) => request.url === emailPath(account));
    expect(puts).toHaveLength(3);
    expect(new Set(puts.map((put) => JSON.stringify(put.body)))).toEqual(new Set([JSON.stringify({ email: account.email, emailVerified: true, version: 1 })]));
  });

  it('a password reset confirms the address too (the code came by mail), once: a second reset sends nothing new', async () => {
    const account = await registerAccount(app);
    const reset = async (newPassword: string, count: number) => {
      await app.post('/api/v1/auth/password/reset/request', { email: account.email }, { ip: `198.18.1.${count}` });
      const code = await waitForCode(app, account.email, 'password-reset', count);
      expect((await app.post('/api/v1/auth/password/reset/confirm', { email: account.email, code, newPassword })).status).toBe(204);
    };
    await reset('a brand new passphrase 1', 1);
    await reset('a brand new passphrase 2', 2);
    const messages = await emailMessages(account);
    expect(messages.map((message) => message.payload)).toEqual([{ userId: account.session.user.id, email: account.email, emailVerified: true, version: 1 }]);
  });

  it('drops a confirmation still pending when the account is deleted (there is no profile left to confirm)', async () => {
    const account = await registerAccount(app);
    userService.nextStatuses.push(...Array.from({ length: 50 }, () => 503));
    try {
      expect((await verify(account)).status).toBe(200);
      expect((await emailMessages(account))[0]?.delivered_at).toBeNull();
      const deleted = await app.request('DELETE', '/api/v1/auth/account', { token: account.session.accessToken, body: { password: account.password } });
      expect(deleted.status).toBe(204);
      expect((await emailMessages(account))[0]).toMatchObject({ delivered_at: expect.any(Date), last_error: 'cancelled: superseded' });
    } finally {
      userService.nextStatuses.length = 0;
    }
  });
});

describe('the migration that versions address states', () => {
  it('gives accounts confirmed before it version 1 and a confirmation for their profile; unconfirmed ones stay at 0', async () => {
    const database = await createTestDatabase('auth_email_backfill');
    const logger = createLogger({ service: 'auth-migrate-test', level: 'silent' });
    const previous = AUTH_MIGRATIONS.slice(0, AUTH_MIGRATIONS.findIndex((migration) => migration.name === 'EmailVersion1797100000000'));
    const before = createDataSource({ url: database.url, schema: AUTH_SCHEMA, entities: AUTH_ENTITIES, migrations: previous, applicationName: 'auth-migrate-test' });
    const after = createAuthDataSource({ url: database.url, poolSize: 2 });
    const confirmed = randomUUID();
    const unconfirmed = randomUUID();
    try {
      await before.initialize();
      await runMigrations(before, logger);
      for (const [id, name, verified] of [[confirmed, 'old_confirmed', true], [unconfirmed, 'old_unconfirmed', false]] as const) {
        await before.query(
          `INSERT INTO auth.credentials (id, email, email_lower, username, username_lower, password_hash, roles, email_verified, password_changed_at, created_at, updated_at)
           VALUES ($1, $2 || '@Example.test', lower($2 || '@example.test'), $2, $2, 'x', ARRAY['user'], $3, now(), now(), now())`,
          [id, name, verified],
        );
      }
      await before.destroy();

      await after.initialize();
      expect(await runMigrations(after, logger)).toEqual(['EmailVersion1797100000000']);
      expect(await after.query('SELECT id, email_version FROM auth.credentials ORDER BY username')).toEqual([
        { id: confirmed, email_version: 1 },
        { id: unconfirmed, email_version: 0 },
      ]);
      expect(await after.query(`SELECT kind, payload, delivered_at FROM auth.outbox`)).toEqual([
        { kind: 'profile.email', payload: { userId: confirmed, email: 'old_confirmed@Example.test', emailVerified: true, version: 1 }, delivered_at: null },
      ]);
    } finally {
      if (before.isInitialized) await before.destroy();
      if (after.isInitialized) await after.destroy();
      await database.drop();
    }
  });
});
