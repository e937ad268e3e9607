import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from '@parley/db';
import { grantAdmin } from '../src/admin/grant-admin.js';
import { createAuthDataSource } from '../src/database.js';
import { registerAccount, startAuthTestApp, type AuthTestApp } from './support/auth-test-app.js';

describe('granting the admin role', () => {
  let app: AuthTestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    app = await startAuthTestApp({}, 'auth_admin');
    dataSource = createAuthDataSource({ url: app.database.url, poolSize: 1 });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await app?.close();
  });

  it('grants admin to an existing account; its next tokens carry the role', async () => {
    const account = await registerAccount(app);
    const result = await grantAdmin(dataSource, account.username.toUpperCase());
    expect(result).toEqual({ status: 'granted', userId: account.session.user.id, username: account.username });

    const refreshed = await app.post('/api/v1/auth/refresh', { refreshToken: account.session.refreshToken });
    expect(refreshed.body.user.roles).toEqual(['user', 'admin']);
    expect(decodeJwt(refreshed.body.accessToken).roles).toEqual(['user', 'admin']);
    const login = await app.post('/api/v1/auth/login', { login: account.username, password: account.password });
    expect(decodeJwt(login.body.accessToken).roles).toEqual(['user', 'admin']);
  });

  it('changes nothing for an account that already is an admin', async () => {
    const account = await registerAccount(app);
    await grantAdmin(dataSource, account.username);
    expect(await grantAdmin(dataSource, account.username)).toEqual({
      status: 'already_admin',
      userId: account.session.user.id,
      username: account.username,
    });
    const me = await app.post('/api/v1/auth/login', { login: account.username, password: account.password });
    expect(me.body.user.roles).toEqual(['user', 'admin']);
  });

  it('reports an unknown username', async () => {
    expect(await grantAdmin(dataSource, 'nobody_here')).toEqual({ status: 'not_found', username: 'nobody_here' });
  });
});
