import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionRevocationWriter, type SessionRevocationWriter } from '@parley/auth-middleware';
import type { DataSource } from '@parley/db';
import { TEST_REDIS_URL } from '@parley/testing';
import { grantAdmin } from '../src/admin/grant-admin.js';
import { createAuthDataSource } from '../src/database.js';
import { registerAccount, startAuthTestApp, type AuthTestApp } from './support/auth-test-app.js';

describe('granting the admin role', () => {
  let app: AuthTestApp;
  let dataSource: DataSource;
  let redis: Redis;
  let sessions: SessionRevocationWriter;

  beforeAll(async () => {
    app = await startAuthTestApp({}, 'auth_admin');
    dataSource = createAuthDataSource({ url: app.database.url, poolSize: 1 });
    await dataSource.initialize();
    redis = new Redis(TEST_REDIS_URL);
    sessions = createSessionRevocationWriter({ redis, redisKeyPrefix: app.redisPrefix, accessTokenTtlSeconds: app.config.ACCESS_TOKEN_TTL_SECONDS });
  });
  afterAll(async () => {
    redis?.disconnect();
    await dataSource?.destroy();
    await app?.close();
  });

  it('grants admin to an existing account; its tokens issued before are refused, its next ones carry the role', async () => {
    const account = await registerAccount(app);
    expect((await app.get('/api/v1/auth/me', { token: account.session.accessToken })).status).toBe(200);
    const result = await grantAdmin(dataSource, sessions, account.username.toUpperCase());
    expect(result).toEqual({ status: 'granted', userId: account.session.user.id, username: account.username });
    // The old token lacks the role: refused, so the client refreshes.
    expect((await app.get('/api/v1/auth/me', { token: account.session.accessToken })).status).toBe(401);

    const refreshed = await app.post('/api/v1/auth/refresh', { refreshToken: account.session.refreshToken });
    expect(refreshed.body.user.roles).toEqual(['user', 'admin']);
    expect(decodeJwt(refreshed.body.accessToken).roles).toEqual(['user', 'admin']);
    expect((await app.get('/api/v1/auth/me', { token: refreshed.body.accessToken })).status).toBe(200);
    const login = await app.post('/api/v1/auth/login', { login: account.username, password: account.password });
    expect(decodeJwt(login.body.accessToken).roles).toEqual(['user', 'admin']);
  });

  it('changes nothing for an account that already is an admin', async () => {
    const account = await registerAccount(app);
    await grantAdmin(dataSource, sessions, account.username);
    expect(await grantAdmin(dataSource, sessions, account.username)).toEqual({
      status: 'already_admin',
      userId: account.session.user.id,
      username: account.username,
    });
    const me = await app.post('/api/v1/auth/login', { login: account.username, password: account.password });
    expect(me.body.user.roles).toEqual(['user', 'admin']);
  });

  it('reports an unknown username', async () => {
    expect(await grantAdmin(dataSource, sessions, 'nobody_here')).toEqual({ status: 'not_found', username: 'nobody_here' });
  });
});
