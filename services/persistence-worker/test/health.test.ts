import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerTestEnv, startWorker, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

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
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
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
