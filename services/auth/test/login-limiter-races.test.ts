import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccount, startAuthTestApp, type AuthTestApp } from './support/auth-test-app.js';

const PER_ACCOUNT_IP = 5;
const PER_IP = 100;

/**
 * The login limits under concurrency: every attempt takes its point before the password is
 * verified, so no burst of parallel guesses gets more argon2 verifications than the limit.
 * Verifications are counted by `parley_auth_password_verifications_total`.
 */
describe('login limits under concurrent attempts', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp(
      { LOGIN_LIMIT_PER_ACCOUNT_IP: String(PER_ACCOUNT_IP), LOGIN_LIMIT_PER_IP: String(PER_IP) },
      'auth_login_races',
    );
  });
  afterAll(async () => {
    await app?.close();
  });

  const verifications = async (): Promise<number> => {
    const match = /^parley_auth_password_verifications_total\{[^}]*\} (\d+)$/m.exec((await app.metrics()).text);
    if (!match) throw new Error('no parley_auth_password_verifications_total series');
    return Number(match[1]);
  };

  const statuses = (responses: Array<{ status: number }>) => {
    const counts: Record<number, number> = {};
    for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  };

  it(`verifies at most ${PER_ACCOUNT_IP} of 200 concurrent wrong guesses at one account from one IP`, async () => {
    const account = await registerAccount(app);
    const before = await verifications();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, attempt) =>
        app.post('/api/v1/auth/login', { login: account.username, password: `wrong guess ${attempt}` }, { ip: '192.0.2.50' }),
      ),
    );
    const verified = (await verifications()) - before;
    const counts = statuses(responses);
    console.log(`200 concurrent guesses at one account: ${verified} verified, statuses ${JSON.stringify(counts)}`);
    expect(verified).toBe(PER_ACCOUNT_IP);
    expect(counts).toEqual({ 401: PER_ACCOUNT_IP, 429: 200 - PER_ACCOUNT_IP });
    // Its owner, elsewhere, still signs in.
    expect((await app.post('/api/v1/auth/login', { login: account.username, password: account.password }, { ip: '192.0.2.51' })).status).toBe(200);
  });

  it(`verifies exactly ${PER_IP} of 300 concurrent stuffing attempts (300 accounts) from one IP`, async () => {
    const accounts = await Promise.all(Array.from({ length: 10 }, () => registerAccount(app)));
    const before = await verifications();
    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, attempt) => {
        // Known accounts and unknown logins mixed, each login tried once.
        const login = attempt < accounts.length ? accounts[attempt]!.email : `stuffed.${attempt}@example.com`;
        return app.post('/api/v1/auth/login', { login, password: `leaked password ${attempt}` }, { ip: '192.0.2.60' });
      }),
    );
    const verified = (await verifications()) - before;
    const counts = statuses(responses);
    console.log(`300 concurrent stuffing attempts from one IP: ${verified} verified, statuses ${JSON.stringify(counts)}`);
    expect(verified).toBe(PER_IP);
    expect(counts).toEqual({ 401: PER_IP, 429: 300 - PER_IP });
  });

  it('gives the attempt back on success: a correct password never uses up the limit', async () => {
    const account = await registerAccount(app);
    const ip = '192.0.2.70';
    for (let round = 0; round < PER_ACCOUNT_IP * 3; round += 1) {
      expect((await app.post('/api/v1/auth/login', { login: account.username, password: account.password }, { ip })).status).toBe(200);
    }
    for (let attempt = 1; attempt <= PER_ACCOUNT_IP; attempt += 1) {
      expect((await app.post('/api/v1/auth/login', { login: account.username, password: `typo ${attempt}` }, { ip })).status).toBe(401);
    }
    expect((await app.post('/api/v1/auth/login', { login: account.username, password: 'one more try' }, { ip })).status).toBe(429);
  });
});
