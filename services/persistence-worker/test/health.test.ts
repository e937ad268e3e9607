import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@parley/testing';
import { createWorkerTestEnv, migratedChatDataSource, startWorker, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

let env: WorkerTestEnv;
let healthy: RunningWorker;
let noDatabase: RunningWorker;

beforeAll(async () => {
  env = await createWorkerTestEnv('pw_health');
  healthy = await startWorker(env.config());
  // Nothing listens on port 1: PostgreSQL is unreachable from the start.
  noDatabase = await startWorker(env.config({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/parley' }));
});

afterAll(async () => {
  await healthy?.stop();
  await noDatabase?.stop();
  await env?.cleanup();
});

describe('health endpoints', () => {
  it('answers /healthz and a ready /readyz when PostgreSQL and Redis answer', async () => {
    const live = await fetch(`${healthy.baseUrl}/healthz`);
    const ready = await fetch(`${healthy.baseUrl}/readyz`);

    expect(live.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', schema: 'ok', redis: 'ok' } });
  });

  it('starts without PostgreSQL, stays live, and answers /readyz with 503 naming the failed check', async () => {
    const live = await fetch(`${noDatabase.baseUrl}/healthz`);
    const ready = await fetch(`${noDatabase.baseUrl}/readyz`);
    const body = (await ready.json()) as { status: string; checks: Record<string, string> };

    expect(live.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(body.status).toBe('unavailable');
    expect(body.checks.postgres).toMatch(/^failed/);
    expect(body.checks.redis).toBe('ok');
  });

  it('is not ready before the chat schema migrations ran (chat-socket owns them), and ready once they did', async () => {
    const fresh = await createTestDatabase('pw_schema');
    const running = await startWorker(env.config({ DATABASE_URL: fresh.url }));
    try {
      const before = await fetch(`${running.baseUrl}/readyz`);
      expect(before.status).toBe(503);
      const body = (await before.json()) as { checks: Record<string, string> };
      expect(body.checks.postgres).toBe('ok');
      expect(body.checks.schema).toMatch(/^failed: migrations not applied: /);

      const migrated = await migratedChatDataSource(fresh.url);
      await migrated.destroy();
      const after = await fetch(`${running.baseUrl}/readyz`);
      expect(after.status).toBe(200);
      expect(await after.json()).toMatchObject({ checks: { schema: 'ok' } });
    } finally {
      await running.stop();
      await fresh.drop();
    }
  });

  it('answers 503 while draining', async () => {
    const running = await startWorker(env.config());
    running.worker.markDraining();
    const ready = await fetch(`${running.baseUrl}/readyz`);
    await running.stop();

    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'draining' });
  });

  it('answers unknown paths with the standard 404 error body', async () => {
    const response = await fetch(`${healthy.baseUrl}/api/v1/nothing`);

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: expect.any(String) } });
  });
});
