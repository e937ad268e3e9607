import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { subscribeWhenReady } from '@parley/redis';
import { TEST_REDIS_URL } from '@parley/testing';
import { sessionsRevokedChannel } from '@parley/keyspace';
import { eventually, registerAccount, startAuthTestApp, unusedPort, type AuthTestApp, type TestAccount } from './support/auth-test-app.js';
import { sql } from './support/test-sql.js';

const INTERNAL_TOKEN = 'internal-token-for-tests-0123456789';

/** Stands in for the user service and chat-socket (their own tests cover their side): records each request, answers 204. */
async function startRecorder(port: number) {
  const requests: Array<{ method: string; url: string; token: string | undefined }> = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', token: req.headers['x-parley-internal-token'] as string | undefined });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Change password, the sessions list and account deletion: each only ever acts on the caller's own account. */
describe('account settings', () => {
  let app: AuthTestApp;
  let userService: Awaited<ReturnType<typeof startRecorder>>;
  let chatService: Awaited<ReturnType<typeof startRecorder>>;
  let subscriber: Redis;
  let events: Array<Record<string, unknown>>;

  beforeAll(async () => {
    const [userPort, chatPort] = [await unusedPort(), await unusedPort()];
    userService = await startRecorder(userPort);
    chatService = await startRecorder(chatPort);
    app = await startAuthTestApp(
      {
        USER_SERVICE_URL: `http://127.0.0.1:${userPort}`,
        CHAT_SERVICE_URL: `http://127.0.0.1:${chatPort}`,
        INTERNAL_API_TOKEN: INTERNAL_TOKEN,
        LOGIN_LIMIT_PER_ACCOUNT_IP: '3',
      },
      'auth_settings',
    );
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
    await userService?.close();
    await chatService?.close();
  });

  const me = (token: string) => app.get('/api/v1/auth/me', { token });
  const login = async (account: TestAccount, password = account.password, headers: Record<string, string> = {}) =>
    app.post('/api/v1/auth/login', { login: account.username, password }, { headers });
  const changePassword = (token: string, body: unknown, ip?: string) => app.post('/api/v1/auth/password/change', body, { token, ...(ip ? { ip } : {}) });
  const sessions = (token: string) => app.get('/api/v1/auth/sessions', { token });
  const endSession = (token: string, id: string) => app.request('DELETE', `/api/v1/auth/sessions/${id}`, { token });
  const deleteAccount = (token: string, body: unknown, ip?: string) => app.request('DELETE', '/api/v1/auth/account', { token, body, ...(ip ? { ip } : {}) });

  describe('changing the password', () => {
    it('needs the current password: a wrong one is refused field by field and changes nothing', async () => {
      const account = await registerAccount(app);
      const wrong = await changePassword(account.session.accessToken, { currentPassword: 'not my password', newPassword: 'a new long passphrase' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error).toEqual({ code: 'invalid', message: 'The password is incorrect', details: [{ path: 'currentPassword', message: 'is incorrect' }] });
      expect((await login(account)).status).toBe(200);
      expect((await changePassword(account.session.accessToken, { currentPassword: account.password })).status).toBe(400);
      expect((await changePassword(account.session.accessToken, { currentPassword: account.password, newPassword: 'password' })).body.error.code).toBe('invalid');
      expect((await app.post('/api/v1/auth/password/change', { currentPassword: account.password, newPassword: 'a new long passphrase' })).status).toBe(401);
    });

    it('ends every other session at once (access and refresh tokens) and keeps the caller’s', async () => {
      const account = await registerAccount(app);
      const other = (await login(account)).body;
      const newPassword = 'a brand new passphrase';

      expect((await changePassword(account.session.accessToken, { currentPassword: account.password, newPassword })).status).toBe(204);

      expect((await me(other.accessToken)).status).toBe(401);
      expect((await app.post('/api/v1/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(401);
      expect((await me(account.session.accessToken)).status).toBe(200);
      expect((await app.post('/api/v1/auth/refresh', { refreshToken: account.session.refreshToken })).status).toBe(200);
      expect((await login(account)).status).toBe(401);
      expect((await login(account, newPassword)).status).toBe(200);
      const event = await eventually(async () => events[0], 3_000, 'the revocation event');
      expect(event).toMatchObject({ userId: account.session.user.id, reason: 'password-change', sessionId: decodeJwt(other.accessToken).sid });
      // The new hash is argon2id.
      const [row] = await sql(app, `SELECT password_hash FROM auth.credentials WHERE id = $1`, [account.session.user.id]);
      expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    });

    it('counts wrong current passwords against the login limits (429 once they are used up)', async () => {
      const account = await registerAccount(app);
      const ip = '203.0.113.44';
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect((await changePassword(account.session.accessToken, { currentPassword: `guess ${attempt}`, newPassword: 'a new long passphrase' }, ip)).status).toBe(400);
      }
      const limited = await changePassword(account.session.accessToken, { currentPassword: account.password, newPassword: 'a new long passphrase' }, ip);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      // Logging in from there is refused too: guessing through this endpoint is no way around the login limits.
      expect((await app.post('/api/v1/auth/login', { login: account.username, password: account.password }, { ip })).status).toBe(429);
    });
  });

  describe('the sessions list', () => {
    it('lists each live session with when it began and was last used, its browser and address, and marks the caller’s', async () => {
      const account = await registerAccount(app, { headers: { 'user-agent': 'Phone Browser/1.0' } });
      const laptop = (await login(account, account.password, { 'user-agent': 'Laptop Browser/2.0' })).body;
      await app.post('/api/v1/auth/refresh', { refreshToken: laptop.refreshToken });

      const listed = await sessions(laptop.accessToken);
      expect(listed.status).toBe(200);
      expect(listed.body.sessions).toHaveLength(2);
      const byAgent = Object.fromEntries(listed.body.sessions.map((session: { userAgent: string }) => [session.userAgent, session]));
      expect(byAgent['Laptop Browser/2.0']).toMatchObject({ id: decodeJwt(laptop.accessToken).sid, current: true, ip: expect.any(String) });
      expect(byAgent['Phone Browser/1.0']).toMatchObject({ id: decodeJwt(account.session.accessToken).sid, current: false });
      const laptopSession = byAgent['Laptop Browser/2.0'];
      expect(Date.parse(laptopSession.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(laptopSession.createdAt));
      // No token in the answer, and none stored in the clear.
      expect(listed.text).not.toContain(laptop.refreshToken);
      const stored = JSON.stringify(await sql(app, `SELECT * FROM auth.refresh_tokens WHERE user_id = $1`, [account.session.user.id]));
      expect(stored).not.toContain(laptop.refreshToken);
      expect(stored).not.toContain(account.session.refreshToken);
    });

    it('ends one of the caller’s other sessions: its tokens are refused at once, the caller’s work on', async () => {
      const account = await registerAccount(app);
      const other = (await login(account)).body;
      const otherId = decodeJwt(other.accessToken).sid as string;

      expect((await endSession(account.session.accessToken, otherId)).status).toBe(204);
      expect((await me(other.accessToken)).status).toBe(401);
      expect((await app.post('/api/v1/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(401);
      expect((await me(account.session.accessToken)).status).toBe(200);
      const ids = (await sessions(account.session.accessToken)).body.sessions.map((session: { id: string }) => session.id);
      expect(ids).toEqual([decodeJwt(account.session.accessToken).sid]);
      expect(await eventually(async () => events[0], 3_000, 'the revocation event')).toMatchObject({ reason: 'session-revoked', sessionId: otherId });
      // Ended already: nothing left to end.
      expect((await endSession(account.session.accessToken, otherId)).status).toBe(404);
    });

    it('refuses to end another person’s session (404, as if it did not exist) and leaves it working', async () => {
      const mallory = await registerAccount(app);
      const victim = await registerAccount(app);
      const victimSession = decodeJwt(victim.session.accessToken).sid as string;

      const attempt = await endSession(mallory.session.accessToken, victimSession);
      expect(attempt.status).toBe(404);
      expect(attempt.body.error.code).toBe('not_found');
      expect((await endSession(mallory.session.accessToken, randomUUID())).status).toBe(404);
      expect((await endSession(mallory.session.accessToken, 'not-a-uuid')).status).toBe(400);
      expect((await me(victim.session.accessToken)).status).toBe(200);
      expect((await app.post('/api/v1/auth/refresh', { refreshToken: victim.session.refreshToken })).status).toBe(200);
      expect((await sessions(mallory.session.accessToken)).body.sessions).toHaveLength(1);
    });
  });

  describe('deleting the account', () => {
    it('needs the password: a wrong one deletes nothing', async () => {
      const account = await registerAccount(app);
      const wrong = await deleteAccount(account.session.accessToken, { password: 'not my password' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.details).toEqual([{ path: 'password', message: 'is incorrect' }]);
      expect((await deleteAccount(account.session.accessToken, {})).status).toBe(400);
      expect((await app.request('DELETE', '/api/v1/auth/account', { body: { password: account.password } })).status).toBe(401);
      expect((await me(account.session.accessToken)).status).toBe(200);
      expect((await login(account)).status).toBe(200);
    });

    it('removes the credential and every session at once and tells the user service and chat-socket, durably', async () => {
      const bystander = await registerAccount(app);
      const account = await registerAccount(app);
      const userId = account.session.user.id as string;
      const other = (await login(account)).body;

      // Another person's password and token cannot delete this account: the account is always the caller's.
      expect((await deleteAccount(bystander.session.accessToken, { password: account.password })).status).toBe(400);

      expect((await deleteAccount(account.session.accessToken, { password: account.password })).status).toBe(204);
      for (const session of [account.session, other]) {
        expect((await app.post('/api/v1/auth/logout-all', {}, { token: session.accessToken })).status).toBe(401);
        expect((await app.post('/api/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
      }
      expect((await login(account)).status).toBe(401);
      expect(await sql(app, `SELECT id FROM auth.credentials WHERE id = $1`, [userId])).toEqual([]);
      expect(await sql(app, `SELECT id FROM auth.refresh_tokens WHERE user_id = $1`, [userId])).toEqual([]);
      expect(await eventually(async () => events.find((event) => event.userId === userId), 3_000, 'the revocation event')).toMatchObject({ reason: 'account-deleted' });

      const outbox = await sql(app, `SELECT kind, delivered_at FROM auth.outbox WHERE payload->>'userId' = $1 ORDER BY kind`, [userId]);
      expect(outbox.map((row) => row.kind)).toEqual(['chat.memberships.delete', 'profile.delete', 'profile.provision']);
      expect(outbox.every((row) => row.delivered_at !== null)).toBe(true);
      expect(userService.requests).toContainEqual({ method: 'DELETE', url: `/internal/v1/profiles/${userId}`, token: INTERNAL_TOKEN });
      expect(chatService.requests).toContainEqual({ method: 'DELETE', url: `/internal/v1/users/${userId}/memberships`, token: INTERNAL_TOKEN });

      // The bystander is untouched; the name is free again.
      expect((await me(bystander.session.accessToken)).status).toBe(200);
      const again = await app.post('/api/v1/auth/register', { email: account.email, username: account.username, password: account.password });
      expect(again.status).toBe(201);
    });

    it('refuses a session begun right after "sign out everywhere" too (the same second as its not-before)', async () => {
      const account = await registerAccount(app);
      expect((await app.post('/api/v1/auth/logout-all', {}, { token: account.session.accessToken })).status).toBe(204);
      const fresh = (await login(account)).body;
      expect((await deleteAccount(fresh.accessToken, { password: account.password })).status).toBe(204);
      // Refused by the verifier itself (every service's), not only because the account is gone.
      const refused = await app.post('/api/v1/auth/logout-all', {}, { token: fresh.accessToken });
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toBe('The session has ended; sign in again');
    });
  });
});
