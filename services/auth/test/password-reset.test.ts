import { Redis } from 'ioredis';
import { subscribeWhenReady } from '@parley/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '@parley/testing';
import { sessionsRevokedChannel } from '@parley/keyspace';
import { eventually, registerAccount, startAuthTestApp, waitForCode, type AuthTestApp } from './support/auth-test-app.js';

describe('password reset', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp({ CODE_REQUEST_LIMIT_PER_IP: '6' }, 'auth_reset');
  });
  afterAll(async () => {
    await app?.close();
  });

  let nextIp = 1;
  const requestReset = (email: string, ip = `198.18.0.${nextIp++}`) => app.post('/api/v1/auth/password/reset/request', { email }, { ip });
  const confirmReset = (body: Record<string, unknown>) => app.post('/api/v1/auth/password/reset/confirm', body);

  it('answers 202 with the same body whether or not the account exists', async () => {
    const account = await registerAccount(app);
    const known = await requestReset(account.email);
    const unknown = await requestReset('no-such-account@example.com');
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.text).toBe(known.text);
  });

  it('sets the new password, ends every session of the account and announces it', async () => {
    const account = await registerAccount(app);
    const secondDevice = await app.post('/api/v1/auth/login', { login: account.email, password: account.password });
    const subscriber = new Redis(TEST_REDIS_URL);
    const events: string[] = [];
    try {
      await subscribeWhenReady(subscriber, sessionsRevokedChannel(app.redisPrefix));
      subscriber.on('message', (_channel, message: string) => events.push(message));

      expect((await requestReset(account.email.toUpperCase())).status).toBe(202);
      const code = await waitForCode(app, account.email, 'password-reset');
      const newPassword = 'a brand new passphrase';
      const confirmed = await confirmReset({ email: account.email, code, newPassword });
      expect(confirmed.status).toBe(204);

      for (const refreshToken of [account.session.refreshToken, secondDevice.body.refreshToken]) {
        expect((await app.post('/api/v1/auth/refresh', { refreshToken })).status).toBe(401);
      }
      expect((await app.post('/api/v1/auth/login', { login: account.email, password: account.password })).status).toBe(401);
      const fresh = await app.post('/api/v1/auth/login', { login: account.email, password: newPassword });
      expect(fresh.status).toBe(200);
      // Receiving the code proved the address as well.
      expect(fresh.body.user.emailVerified).toBe(true);

      const event = await eventually(async () => events[0], 3_000, 'the sessions-revoked event');
      expect(JSON.parse(event)).toEqual({
        userId: account.session.user.id,
        reason: 'password-reset',
        notBefore: expect.any(Number),
        expiresAt: expect.any(Number),
      });
      // Access tokens issued before the reset are refused; the one issued after works.
      for (const accessToken of [account.session.accessToken, secondDevice.body.accessToken]) {
        expect((await app.get('/api/v1/auth/me', { token: accessToken })).status).toBe(401);
      }
      expect((await app.get('/api/v1/auth/me', { token: fresh.body.accessToken })).status).toBe(200);
      // The code is spent.
      expect((await confirmReset({ email: account.email, code, newPassword: 'yet another passphrase' })).status).toBe(400);
    } finally {
      subscriber.disconnect();
    }
  });

  it('rejects a wrong code, a common new password and an unknown address with 400', async () => {
    const account = await registerAccount(app);
    await requestReset(account.email);
    const code = await waitForCode(app, account.email, 'password-reset');
    const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    const wrong = await confirmReset({ email: account.email, code: wrongCode, newPassword: 'a brand new passphrase' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toBe('The code is incorrect');

    const common = await confirmReset({ email: account.email, code, newPassword: 'Password123' });
    expect(common.status).toBe(400);
    expect(common.body.error.details).toEqual([{ path: 'newPassword', message: 'is too common; choose a password that is harder to guess' }]);

    const unknown = await confirmReset({ email: 'nobody@example.com', code, newPassword: 'a brand new passphrase' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('The code has expired or was already used; request a new one');

    const short = await confirmReset({ email: account.email, code, newPassword: 'short' });
    expect(short.status).toBe(400);

    // None of those used up the code.
    expect((await confirmReset({ email: account.email, code, newPassword: 'a brand new passphrase' })).status).toBe(204);
  });

  it('limits reset requests per client IP with 429', async () => {
    const ip = '198.18.1.1';
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      expect((await requestReset(`someone${attempt}@example.com`, ip)).status).toBe(202);
    }
    const limited = await requestReset('someone7@example.com', ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  it('limits reset requests per address with 429, whether or not it has an account', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) expect((await requestReset('target@example.com')).status).toBe(202);
    expect((await requestReset('TARGET@example.com')).status).toBe(429);
  });
});
