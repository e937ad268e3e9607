import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccount, startAuthTestApp, type AuthTestApp } from './support/auth-test-app.js';

describe('login brute-force limits', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp({ LOGIN_LIMIT_PER_ACCOUNT_IP: '5', LOGIN_LIMIT_PER_IP: '10' }, 'auth_bruteforce');
  });
  afterAll(async () => {
    await app?.close();
  });

  const login = (login: string, password: string, ip: string) => app.post('/api/v1/auth/login', { login, password }, { ip });

  it('locks an account for one IP after 5 failures with 429 and Retry-After, while its owner signs in from another IP', async () => {
    const account = await registerAccount(app);
    const attacker = '192.0.2.10';
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect((await login(account.username, `guess ${attempt}`, attacker)).status).toBe(401);
    }
    const locked = await login(account.username, 'guess 6', attacker);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate_limited');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);

    // Even the right password from that IP waits, so guessing cannot continue.
    expect((await login(account.email, account.password, attacker)).status).toBe(429);
    // The owner elsewhere is not locked out.
    expect((await login(account.username, account.password, '192.0.2.99')).status).toBe(200);
  });

  it('counts only failures, and a success resets the account+IP count', async () => {
    const account = await registerAccount(app);
    const ip = '192.0.2.20';
    for (let attempt = 1; attempt <= 4; attempt += 1) await login(account.username, `typo ${attempt}`, ip);
    expect((await login(account.username, account.password, ip)).status).toBe(200);
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect((await login(account.username, `typo again ${attempt}`, ip)).status).toBe(401);
    }
    expect((await login(account.username, account.password, ip)).status).toBe(200);
  });

  it('limits failures per IP across accounts, unknown ones included', async () => {
    const ip = '192.0.2.30';
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      expect((await login(`nobody${attempt}@example.com`, 'whatever pass', ip)).status).toBe(401);
    }
    const limited = await login('somebody@example.com', 'whatever pass', ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  it('treats an unknown login like a known one: locked after the same number of failures', async () => {
    const ip = '192.0.2.40';
    for (let attempt = 1; attempt <= 5; attempt += 1) expect((await login('ghost', 'nope nope', ip)).status).toBe(401);
    expect((await login('ghost', 'nope nope', ip)).status).toBe(429);
  });

  it('counts login outcomes and limiter rejections in /metrics', async () => {
    const metrics = (await app.metrics()).text;
    expect(metrics).toMatch(/parley_auth_logins_total\{outcome="success",service="auth"\} [1-9]/);
    expect(metrics).toMatch(/parley_auth_logins_total\{outcome="failure",service="auth"\} [1-9]/);
    expect(metrics).toMatch(/parley_auth_logins_total\{outcome="rate_limited",service="auth"\} [1-9]/);
    expect(metrics).toMatch(/parley_auth_rate_limit_rejections_total\{limiter="login_account_ip",service="auth"\} [1-9]/);
    expect(metrics).toMatch(/parley_auth_rate_limit_rejections_total\{limiter="login_ip",service="auth"\} [1-9]/);
    expect(metrics).toMatch(/parley_auth_registrations_total\{service="auth"\} [1-9]/);
  });
});
