import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_API_ROUTES } from '../src/api-document.js';
import { registerAccount, startAuthTestApp, unusedPort, type AuthTestApp } from './support/auth-test-app.js';
import { sql } from './support/test-sql.js';

describe('health, metrics and API description', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp({}, 'auth_ops');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is alive and ready when PostgreSQL, Redis and a signing key are there', async () => {
    expect((await app.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await app.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { postgres: 'ok', schema: 'ok', redis: 'ok', signingKey: 'ok' } });
  });

  it('exposes the auth counters on /metrics of the admin port from the start, and not on the public port', async () => {
    expect((await app.get('/metrics')).status).toBe(404);
    expect((await app.request('GET', '/readyz', {}, app.adminUrl)).status).toBe(200);
    const metrics = await app.metrics();
    expect(metrics.status).toBe(200);
    for (const series of [
      'parley_auth_logins_total{outcome="success",service="auth"}',
      'parley_auth_logins_total{outcome="failure",service="auth"}',
      'parley_auth_logins_total{outcome="rate_limited",service="auth"}',
      'parley_auth_refreshes_total{outcome="success",service="auth"}',
      'parley_auth_refreshes_total{outcome="reuse_detected",service="auth"}',
      'parley_auth_refreshes_total{outcome="invalid",service="auth"}',
      'parley_auth_refresh_reuse_detections_total{service="auth"}',
      'parley_auth_rate_limit_rejections_total{limiter="login_account_ip",service="auth"}',
      'parley_auth_registrations_total{service="auth"}',
    ]) {
      expect(metrics.text).toContain(series);
    }
  });

  it('describes every public endpoint in /api/v1/auth/openapi.json', async () => {
    const response = await app.get('/api/v1/auth/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const operations = Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'POST /api/v1/auth/register',
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/refresh',
        'POST /api/v1/auth/logout',
        'POST /api/v1/auth/logout-all',
        'GET /api/v1/auth/me',
        'POST /api/v1/auth/email/verify/request',
        'POST /api/v1/auth/email/verify/confirm',
        'POST /api/v1/auth/password/reset/request',
        'POST /api/v1/auth/password/reset/confirm',
        'POST /api/v1/auth/password/change',
        'GET /api/v1/auth/sessions',
        'DELETE /api/v1/auth/sessions/{sessionId}',
        'DELETE /api/v1/auth/account',
        'GET /.well-known/jwks.json',
        'GET /api/v1/auth/.well-known/jwks.json',
      ].sort(),
    );
    expect(response.body.paths['/api/v1/auth/register'].post.requestBody.content['application/json'].schema).toBeDefined();
    expect(response.body.paths['/api/v1/auth/me'].get.security).toEqual([{ bearerAuth: [] }]);
  });

  it('every documented route exists (none answers 404)', async () => {
    for (const route of AUTH_API_ROUTES) {
      const response = await app.request(route.method.toUpperCase(), route.path, route.method === 'get' ? {} : { body: {} });
      expect(response.status, `${route.method} ${route.path}`).not.toBe(404);
    }
  });

  it('answers 404 with the uniform error body for unknown endpoints', async () => {
    const response = await app.get('/api/v1/auth/nope');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: 'not_found', message: 'No such endpoint' } });
  });

  it('turns not-ready while draining', async () => {
    app.auth.markDraining();
    const response = await app.get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body.status).toBe('draining');
  });
});

describe('readiness with Redis unreachable', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp({ REDIS_URL: `redis://127.0.0.1:${await unusedPort()}` }, 'auth_no_redis');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('starts anyway, stays alive, and reports not ready naming Redis', async () => {
    expect((await app.get('/healthz')).status).toBe(200);
    const ready = await app.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('unavailable');
    expect(ready.body.checks.postgres).toBe('ok');
    expect(ready.body.checks.signingKey).toBe('ok');
    expect(ready.body.checks.redis).toMatch(/^failed/);
  });
});

describe('without a usable signing key and generation off', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp({ SIGNING_KEYS_GENERATE: 'false' }, 'auth_no_key');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('reports not ready and answers 503 to registration without creating the account', async () => {
    const ready = await app.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.signingKey).toBe('failed: no usable signing key');
    expect((await app.get('/.well-known/jwks.json')).body).toEqual({ keys: [] });

    await expect(registerAccount(app)).rejects.toThrow(/registration failed: 503/);
    expect(await sql(app, 'SELECT id FROM auth.credentials')).toHaveLength(0);
  });
});
