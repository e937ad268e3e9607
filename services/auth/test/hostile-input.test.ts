import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccount, startAuthTestApp, type AuthTestApp, type TestAccount } from './support/auth-test-app.js';

/**
 * A login with U+0000 used to reach PostgreSQL (which cannot store or compare it) and come back
 * as a 500. It is the client's error: 400 / `invalid`, and the account still signs in.
 */
describe('hostile input to the auth service', () => {
  let app: AuthTestApp;
  let account: TestAccount;

  beforeAll(async () => {
    app = await startAuthTestApp({}, 'auth_hostile');
    account = await registerAccount(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(['\u0000', 'user\u0000name', `${'x'.repeat(10)}\u0000@example.com`, 'half\ud800', 'esc\u001b[0m'])('answers 400 to the login %j', async (login) => {
    const response = await app.post('/api/v1/auth/login', { login, password: 'whatever it is' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid');
  });

  it('answers 400 to a registration with control characters in the password, and creates nothing', async () => {
    const response = await app.post('/api/v1/auth/register', { email: 'ctl@example.com', username: 'ctl_user', password: 'long enough\u0000pass' });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'password' })]));
    expect((await app.post('/api/v1/auth/login', { login: 'ctl_user', password: 'long enough\u0000pass' })).status).toBe(401);
  });

  it('still signs the account in afterwards', async () => {
    expect((await app.post('/api/v1/auth/login', { login: account.username, password: account.password })).status).toBe(200);
  });
});
