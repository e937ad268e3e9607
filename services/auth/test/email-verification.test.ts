import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '@parley/testing';
import { oneTimeCodeKey } from '@parley/keyspace';
import { registerAccount, startAuthTestApp, waitForCode, waitForMail, type AuthTestApp, type TestAccount } from './support/auth-test-app.js';

describe('email verification', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp({ CODE_REQUEST_LIMIT_PER_ACCOUNT: '5' }, 'auth_verify');
  });
  afterAll(async () => {
    await app?.close();
  });

  const request = (account: TestAccount) => app.post('/api/v1/auth/email/verify/request', undefined, { token: account.session.accessToken });
  const confirm = (account: TestAccount, code: string) =>
    app.post('/api/v1/auth/email/verify/confirm', { code }, { token: account.session.accessToken });
  /** A 6-digit code that is not `code`. */
  const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('verifies the address end to end through the mailed code', async () => {
    const account = await registerAccount(app);
    const requested = await request(account);
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ message: expect.any(String) });

    const [mail] = await waitForMail(app, account.email, 'email-verification');
    expect(mail).toMatchObject({ to: account.email, from: 'Parley <no-reply@parley.local>', subject: expect.stringContaining('verification') });
    const code = await waitForCode(app, account.email, 'email-verification');

    const wrong = await confirm(account, otherThan(code));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'invalid', message: 'The code is incorrect' });

    const confirmed = await confirm(account, code);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ user: { ...account.session.user, emailVerified: true } });
    expect((await app.get('/api/v1/auth/me', { token: account.session.accessToken })).body.user.emailVerified).toBe(true);

    // The code worked once; asking again for a verified address is a conflict.
    expect((await confirm(account, code)).status).toBe(409);
    const again = await request(account);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('kills a code after 5 wrong attempts, even for the right code, until a new one is requested', async () => {
    const account = await registerAccount(app);
    await request(account);
    const code = await waitForCode(app, account.email, 'email-verification');
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const response = await confirm(account, otherThan(code));
      expect(response.status).toBe(400);
      expect(response.body.error.details[0].message).toContain(`${5 - attempt} attempt(s) left`);
    }
    const fifth = await confirm(account, otherThan(code));
    expect(fifth.status).toBe(400);
    expect(fifth.body.error.message).toMatch(/Too many wrong attempts/);

    const dead = await confirm(account, code);
    expect(dead.status).toBe(400);
    expect(dead.body.error.message).toBe('The code has expired or was already used; request a new one');

    await request(account);
    const fresh = await waitForCode(app, account.email, 'email-verification', 2);
    expect((await confirm(account, fresh)).status).toBe(200);
  });

  it('replaces the previous code when a new one is requested', async () => {
    const account = await registerAccount(app);
    await request(account);
    const first = await waitForCode(app, account.email, 'email-verification', 1);
    await request(account);
    const second = await waitForCode(app, account.email, 'email-verification', 2);
    if (first !== second) expect((await confirm(account, first)).status).toBe(400);
    expect((await confirm(account, second)).status).toBe(200);
  });

  it('stores only a hash of the code in Redis, expiring within 10 minutes', async () => {
    const account = await registerAccount(app);
    await request(account);
    const code = await waitForCode(app, account.email, 'email-verification');
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const key = oneTimeCodeKey(app.redisPrefix, 'email-verification', account.session.user.id);
      const stored = await redis.hgetall(key);
      expect(Object.keys(stored).sort()).toEqual(['attempts', 'hash', 'salt']);
      expect(Object.values(stored).join(' ')).not.toContain(code);
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);
    } finally {
      redis.disconnect();
    }
  });

  it('requires authentication and a 6-digit code', async () => {
    expect((await app.post('/api/v1/auth/email/verify/request')).status).toBe(401);
    expect((await app.post('/api/v1/auth/email/verify/confirm', { code: '123456' })).status).toBe(401);
    const account = await registerAccount(app);
    const malformed = await confirm(account, '12345');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details).toEqual([{ path: 'code', message: 'must be 6 digits' }]);
    expect((await app.post('/api/v1/auth/email/verify/request', { extra: true }, { token: account.session.accessToken })).status).toBe(400);
  });

  it('limits code requests per account with 429', async () => {
    const account = await registerAccount(app);
    for (let attempt = 1; attempt <= 5; attempt += 1) expect((await request(account)).status).toBe(202);
    const limited = await request(account);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });
});
