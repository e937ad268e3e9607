import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_POSTGRES_URL } from '@parley/testing';
import { userApiRoutes } from '../src/openapi-document.js';
import { startUserService, type UserServiceHarness } from './support/user-service-harness.js';

describe('with PostgreSQL and Redis up', () => {
  let service: UserServiceHarness;

  beforeAll(async () => {
    service = await startUserService({}, 'health');
  });

  afterAll(async () => {
    await service?.close();
  });

  it('is alive and ready', async () => {
    expect((await service.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await service.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { postgres: 'ok', schema: 'ok', redis: 'ok' } });
  });

  it('exposes Prometheus metrics labelled by route template on the admin port only', async () => {
    const user = await service.registerUser('metered');
    await service.request('GET', `/api/v1/users/${user.id}`, { token: user.token });
    expect((await service.request('GET', '/metrics')).status).toBe(404);
    expect((await fetch(`${service.adminUrl}/readyz`)).status).toBe(200);
    const response = await fetch(`${service.adminUrl}/metrics`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain('parley_http_request_duration_seconds');
    expect(text).toContain('service="user"');
    expect(text).toContain('route="/api/v1/users/:id"');
    expect(text).not.toContain(user.id);
  });

  it('publishes an OpenAPI document listing every public endpoint, without a token', async () => {
    const result = await service.request('GET', '/api/v1/users/openapi.json');
    expect(result.status).toBe(200);
    expect(result.body.openapi).toBe('3.1.0');
    const documented = Object.entries(result.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(
      [
        'GET /api/v1/users',
        'GET /api/v1/users/me',
        'PATCH /api/v1/users/me',
        'GET /api/v1/users/{id}',
        'GET /api/v1/users/openapi.json',
        'POST /api/v1/users/me/friend-requests',
        'GET /api/v1/users/me/friend-requests',
        'POST /api/v1/users/me/friend-requests/{id}/accept',
        'POST /api/v1/users/me/friend-requests/{id}/reject',
        'GET /api/v1/users/me/friends',
        'DELETE /api/v1/users/me/friends/{userId}',
        'GET /api/v1/users/me/blocks',
        'PUT /api/v1/users/me/blocks/{userId}',
        'DELETE /api/v1/users/me/blocks/{userId}',
      ].sort(),
    );
    expect(documented).toHaveLength(userApiRoutes.length);
    expect(JSON.stringify(result.body)).not.toContain('/internal/');
  });

  it('answers unknown routes with the uniform 404 body', async () => {
    const result = await service.request('GET', '/api/v1/nowhere');
    expect(result.status).toBe(404);
    expect(result.body).toEqual({ error: { code: 'not_found', message: 'No such endpoint' } });
  });

  it('reports not ready once draining', async () => {
    service.userApp.markDraining();
    const result = await service.request('GET', '/readyz');
    expect(result.status).toBe(503);
    expect(result.body.status).toBe('draining');
  });
});

describe('with PostgreSQL unreachable', () => {
  let service: UserServiceHarness;

  beforeAll(async () => {
    // Nothing listens on port 1: connections are refused at once.
    service = await startUserService({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/parley_nowhere' }, 'deaddb');
  });

  afterAll(async () => {
    await service?.close();
  });

  it('still starts, stays alive, and reports not ready', async () => {
    expect((await service.request('GET', '/healthz')).status).toBe(200);
    const ready = await service.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('unavailable');
    expect(ready.body.checks.postgres).toMatch(/^failed/);
    expect(ready.body.checks.redis).toBe('ok');
  });

  it('answers 503 to API and internal requests instead of hanging', async () => {
    const token = await service.issuer.mint({ id: randomUUID(), username: 'patient' });
    const me = await service.request('GET', '/api/v1/users/me', { token });
    expect(me.status).toBe(503);
    expect(me.body.error.code).toBe('unavailable');
    const internal = await service.internal('GET', `/internal/v1/blocks?userA=${randomUUID()}&userB=${randomUUID()}`);
    expect(internal.status).toBe(503);
  });

  it('still answers 401 to unauthenticated requests', async () => {
    expect((await service.request('GET', '/api/v1/users/me')).status).toBe(401);
  });
});

describe('when PostgreSQL comes back', () => {
  it('connects, migrates and becomes ready without a restart', async () => {
    const database = await createTestDatabase('revive');
    await database.drop();
    const service = await startUserService({ DATABASE_URL: database.url }, 'revive');
    try {
      expect((await service.request('GET', '/readyz')).status).toBe(503);

      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${database.name}"`);
      await admin.end();

      let status = 503;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = (await service.request('GET', '/readyz')).status;
      }
      expect(status).toBe(200);
      const token = await service.issuer.mint({ id: randomUUID(), username: 'phoenix' });
      expect((await service.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
    } finally {
      await service.close();
      await database.drop();
    }
  });
});
