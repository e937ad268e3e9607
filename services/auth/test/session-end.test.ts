import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { subscribeWhenReady } from '@parley/redis';
import { TEST_REDIS_URL } from '@parley/testing';
import { sessionsRevokedChannel } from '@parley/keyspace';
import { eventually, registerAccount, startAuthTestApp, type AuthTestApp, type TestAccount } from './support/auth-test-app.js';

/** Logout and logout-all end sessions for every verifier, not only for refresh. */
describe('ending sessions', () => {
  let app: AuthTestApp;
  let subscriber: Redis;
  let events: Array<Record<string, unknown>>;

  beforeAll(async () => {
    app = await startAuthTestApp({}, 'auth_sessions');
    subscriber = new Redis(TEST_REDIS_URL);
    await subscribeWhenReady(subscriber, sessionsRevokedChannel(app.redisPrefix));
    subscriber.on('message', (_channel, message: string) => events.push(JSON.parse(message) as Record<string, unknown>));
  });
  beforeEach(() => {
    events = [];
  });
  afterAll(async () => {
    subscriber?.disconnect();
    await app?.close();
  });

  const me = (accessToken: string) => app.get('/api/v1/auth/me', { token: accessToken });
  const login = async (account: TestAccount) => {
    const response = await app.post('/api/v1/auth/login', { login: account.username, password: account.password });
    expect(response.status).toBe(200);
    return response.body as { accessToken: string; refreshToken: string };
  };
  const sessionIdOf = (accessToken: string) => decodeJwt(accessToken).sid;

  it('names the session in every access token (sid): kept across refreshes, new for each login', async () => {
    const account = await registerAccount(app);
    const registered = sessionIdOf(account.session.accessToken);
    expect(registered).toMatch(/^[0-9a-f-]{36}$/);
    const refreshed = await app.post('/api/v1/auth/refresh', { refreshToken: account.session.refreshToken });
    expect(sessionIdOf(refreshed.body.accessToken)).toBe(registered);
    expect(sessionIdOf((await login(account)).accessToken)).not.toBe(registered);
  });

  it('logout refuses the access tokens of that session at once, leaves the user’s other sessions alone, and announces it', async () => {
    const account = await registerAccount(app);
    const other = await login(account);
    const refreshed = (await app.post('/api/v1/auth/refresh', { refreshToken: account.session.refreshToken })).body;
    for (const token of [account.session.accessToken, refreshed.accessToken, other.accessToken]) expect((await me(token)).status).toBe(200);

    expect((await app.post('/api/v1/auth/logout', { refreshToken: refreshed.refreshToken })).status).toBe(204);

    // Both access tokens of the session (before and after its refresh), on every endpoint.
    for (const token of [account.session.accessToken, refreshed.accessToken]) {
      const refused = await me(token);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toEqual({ code: 'unauthorized', message: 'The session has ended; sign in again' });
      expect((await app.post('/api/v1/auth/email/verify/request', {}, { token })).status).toBe(401);
      expect((await app.post('/api/v1/auth/logout-all', {}, { token })).status).toBe(401);
    }
    expect((await app.post('/api/v1/auth/refresh', { refreshToken: refreshed.refreshToken })).status).toBe(401);
    expect((await me(other.accessToken)).status).toBe(200);
    expect((await app.post('/api/v1/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(200);

    const event = await eventually(async () => events[0], 3_000, 'the revocation event');
    expect(event).toEqual({ userId: account.session.user.id, reason: 'logout', sessionId: sessionIdOf(account.session.accessToken), expiresAt: expect.any(Number) });
    // Every token it refuses has expired by then (15-minute tokens).
    expect(event.expiresAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 900);
  });

  it('logout-all ends every session (refresh tokens and every access token issued until now); a login right after works', async () => {
    const account = await registerAccount(app);
    const sessions = [account.session, await login(account), await login(account)];

    const ended = await app.post('/api/v1/auth/logout-all', {}, { token: sessions[1]!.accessToken });
    expect(ended.status).toBe(204);

    for (const session of sessions) {
      expect((await me(session.accessToken)).status).toBe(401);
      expect((await app.post('/api/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    }
    const event = await eventually(async () => events[0], 3_000, 'the revocation event');
    expect(event).toEqual({ userId: account.session.user.id, reason: 'logout-all', notBefore: expect.any(Number), expiresAt: expect.any(Number) });

    // Within the same second: the new token is dated at the not-before, so it is not refused.
    const fresh = await login(account);
    expect(decodeJwt(fresh.accessToken).iat).toBeGreaterThanOrEqual(event.notBefore as number);
    expect((await me(fresh.accessToken)).status).toBe(200);
  });

  it('logout-all requires a live access token and an empty body', async () => {
    const account = await registerAccount(app);
    expect((await app.post('/api/v1/auth/logout-all', {})).status).toBe(401);
    const junk = await app.post('/api/v1/auth/logout-all', { everyone: true }, { token: account.session.accessToken });
    expect(junk.status).toBe(400);
    expect(junk.body.error.code).toBe('invalid');
    expect((await me(account.session.accessToken)).status).toBe(200);
    expect(events).toEqual([]);
  });
});
