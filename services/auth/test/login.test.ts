import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSessionSchema } from '@parley/contracts';
import { registerAccount, startAuthTestApp, type AuthTestApp, type TestAccount } from './support/auth-test-app.js';

describe('POST /api/v1/auth/login', () => {
  let app: AuthTestApp;
  let account: TestAccount;

  beforeAll(async () => {
    app = await startAuthTestApp({}, 'auth_login');
    account = await registerAccount(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('signs in by email in any letter case', async () => {
    const response = await app.post('/api/v1/auth/login', { login: account.email.toUpperCase(), password: account.password });
    expect(response.status).toBe(200);
    const session = authSessionSchema.parse(response.body);
    expect(session.user.id).toBe(account.session.user.id);
    expect(session.refreshToken).toBeDefined();
    expect(session.refreshToken).not.toBe(account.session.refreshToken);
    expect(decodeJwt(session.accessToken).sub).toBe(account.session.user.id);
  });

  it('signs in by username in any letter case', async () => {
    const response = await app.post('/api/v1/auth/login', { login: ` ${account.username.toUpperCase()} `, password: account.password });
    expect(response.status).toBe(200);
    expect(response.body.user.username).toBe(account.username);
  });

  it('answers one generic 401 for a wrong password and for an unknown account', async () => {
    const wrongPassword = await app.post('/api/v1/auth/login', { login: account.username, password: 'not the password' });
    const unknownUser = await app.post('/api/v1/auth/login', { login: 'nobody@example.com', password: account.password });
    const unknownName = await app.post('/api/v1/auth/login', { login: 'nobody', password: account.password });
    for (const response of [wrongPassword, unknownUser, unknownName]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: { code: 'unauthorized', message: 'The login or password is incorrect' } });
    }
  });

  it('does not accept the password in another letter case', async () => {
    const response = await app.post('/api/v1/auth/login', { login: account.username, password: account.password.toUpperCase() });
    expect(response.status).toBe(401);
  });

  it('rejects a malformed body and unknown fields with 400', async () => {
    const missing = await app.post('/api/v1/auth/login', { login: account.username });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ path: 'password', message: expect.any(String) }]);
    const extra = await app.post('/api/v1/auth/login', { login: account.username, password: account.password, remember: true });
    expect(extra.status).toBe(400);
  });

  it('shows the signed-in account at /me', async () => {
    const response = await app.get('/api/v1/auth/me', { token: account.session.accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ user: account.session.user });
    expect((await app.get('/api/v1/auth/me')).status).toBe(401);
  });
});
