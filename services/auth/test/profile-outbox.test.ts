import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@parley/logger';
import { createAuthDataSource } from '../src/database.js';
import { createOutboxRelay } from '../src/outbox/outbox-relay.js';
import { OutboxRepository } from '../src/outbox/outbox-repository.js';
import { createProfileProvisioningClient } from '../src/outbox/profile-provisioning-client.js';
import { eventually, registerAccount, sleep, startAuthTestApp, unusedPort, type AuthTestApp } from './support/auth-test-app.js';
import { sql } from './support/test-sql.js';

const INTERNAL_TOKEN = 'internal-token-for-tests-0123456789';

interface RecordedPut {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** Stands in for the user service: records every request and answers 204 (503 to the next `refuseNext` ones). */
async function startRecordingUserService(port: number) {
  const requests: RecordedPut[] = [];
  const state = { refuseNext: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body ? JSON.parse(body) : undefined });
      res.statusCode = state.refuseNext > 0 ? 503 : 204;
      state.refuseNext = Math.max(0, state.refuseNext - 1);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    requests,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const outboxRowOf = async (app: AuthTestApp, userId: string) =>
  (await sql(app, `SELECT * FROM auth.outbox WHERE payload->>'userId' = $1`, [userId]))[0];

describe('profile provisioning through the outbox (user service stood in by a recording HTTP server)', () => {
  let app: AuthTestApp;
  let port: number;
  let userService: Awaited<ReturnType<typeof startRecordingUserService>> | undefined;

  beforeAll(async () => {
    port = await unusedPort();
    app = await startAuthTestApp(
      { USER_SERVICE_URL: `http://127.0.0.1:${port}`, INTERNAL_API_TOKEN: INTERNAL_TOKEN, OUTBOX_RELAY_INTERVAL_MS: '200' },
      'auth_outbox',
    );
  });
  afterAll(async () => {
    await userService?.close();
    await app?.close();
  });

  it('registers with 201 while the user service is down, then the relay delivers the profile once it is up', async () => {
    const account = await registerAccount(app);
    const userId: string = account.session.user.id;
    const pending = await outboxRowOf(app, userId);
    expect(pending).toMatchObject({
      kind: 'profile.provision',
      payload: { userId, username: account.username, email: account.email },
      delivered_at: null,
    });
    expect(pending?.attempts).toBeGreaterThanOrEqual(1);
    expect(pending?.last_error).toEqual(expect.any(String));

    userService = await startRecordingUserService(port);
    const put = await eventually(
      async () => userService?.requests.find((request) => request.url === `/internal/v1/profiles/${userId}`),
      10_000,
      'the relay to deliver the profile',
    );
    expect(put.method).toBe('PUT');
    expect(put.headers['x-parley-internal-token']).toBe(INTERNAL_TOKEN);
    expect(put.headers['content-type']).toBe('application/json');
    expect(put.body).toEqual({ username: account.username, email: account.email });
    await eventually(async () => ((await outboxRowOf(app, userId))?.delivered_at ? true : undefined), 5_000, 'the row to be marked delivered');
  });

  it('delivers right after the commit when the user service is up', async () => {
    const account = await registerAccount(app);
    const row = await outboxRowOf(app, account.session.user.id);
    expect(row?.delivered_at).not.toBeNull();
    expect(row?.attempts).toBe(1);
    expect(userService?.requests.some((request) => request.url === `/internal/v1/profiles/${account.session.user.id}`)).toBe(true);
  });

  it('retries a delivery the user service refused, with backoff', async () => {
    const before = userService?.requests.length ?? 0;
    if (userService) userService.state.refuseNext = 1;
    const account = await registerAccount(app);
    const userId: string = account.session.user.id;
    const failed = await outboxRowOf(app, userId);
    expect(failed?.delivered_at).toBeNull();
    expect(failed?.last_error).toBe('user service answered 503');

    const delivered = await eventually(
      async () => {
        const row = await outboxRowOf(app, userId);
        return row?.delivered_at ? row : undefined;
      },
      10_000,
      'the retry',
    );
    expect(delivered.attempts).toBe(2);
    expect((userService?.requests.length ?? 0) - before).toBe(2);
  });

  it('two relays running at once (two pods) deliver each message exactly once', async () => {
    const ids = Array.from({ length: 30 }, () => randomUUID());
    for (const id of ids) {
      await sql(app, `INSERT INTO auth.outbox (id, kind, payload) VALUES ($1, 'profile.provision', $2::jsonb)`, [
        randomUUID(),
        JSON.stringify({ userId: id, username: `u${id.slice(0, 8)}`, email: `${id}@example.com` }),
      ]);
    }
    const logger = createLogger({ service: 'auth-test', level: 'silent' });
    const sources = [createAuthDataSource({ url: app.database.url }), createAuthDataSource({ url: app.database.url })];
    await Promise.all(sources.map((source) => source.initialize()));
    try {
      const relays = sources.map((source) =>
        createOutboxRelay({
          repository: new OutboxRepository(source),
          provisioning: createProfileProvisioningClient({ userServiceUrl: `http://127.0.0.1:${port}/`, internalToken: INTERNAL_TOKEN }),
          intervalMs: 60_000,
          logger,
          batchSize: 5,
        }),
      );
      await Promise.all(relays.map((relay) => relay.runOnce()));
      await eventually(
        async () => ((await sql(app, `SELECT count(*)::int AS n FROM auth.outbox WHERE delivered_at IS NULL`))[0]?.n === 0 ? true : undefined),
        10_000,
        'every message delivered',
      );
      for (const id of ids) {
        expect(userService?.requests.filter((request) => request.url === `/internal/v1/profiles/${id}`)).toHaveLength(1);
      }
    } finally {
      await Promise.all(sources.map((source) => source.destroy()));
    }
  });
});

describe('profile provisioning without USER_SERVICE_URL', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp({ OUTBOX_RELAY_INTERVAL_MS: '100' }, 'auth_outbox_off');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('still registers, and keeps the message pending for when the user service is configured', async () => {
    const account = await registerAccount(app);
    await sleep(400);
    const row = await outboxRowOf(app, account.session.user.id);
    expect(row).toMatchObject({ delivered_at: null, attempts: 0, kind: 'profile.provision' });
  });
});
