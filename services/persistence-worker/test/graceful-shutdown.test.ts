import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, createWorkerTestEnv, makeMessage, startWorker, storedMessageIds, TestProducer, waitFor, type WorkerTestEnv } from './support/worker-harness.js';

let env: WorkerTestEnv;
let producer: TestProducer;

beforeAll(async () => {
  env = await createWorkerTestEnv('pw_shutdown');
  producer = new TestProducer(env.prefix);
});

afterAll(async () => {
  await producer?.close();
  await env?.cleanup();
});

describe('graceful shutdown', () => {
  it('stops taking jobs when draining and lets the active job finish before closing', async () => {
    const running = await startWorker(env.config({ PERSIST_TEST_DELAY_MS: '700', MESSAGES_CONCURRENCY: '1' }));
    const sender = randomUUID();
    const room = await createRoom(env.dataSource, [sender]);
    const active = [makeMessage(room, sender), makeMessage(room, sender)];
    const activeJob = await producer.enqueueBatch(active);
    await waitFor(async () => (await producer.messages.getJobCounts('active')).active === 1, 10_000, 'the job to start');

    running.worker.markDraining();
    const readiness = await fetch(`${running.baseUrl}/readyz`);
    const later = [makeMessage(room, sender)];
    const laterJob = await producer.enqueueBatch(later);
    await running.stop();

    expect(readiness.status).toBe(503);
    expect(await (await producer.messages.getJob(activeJob))!.getState()).toBe('completed');
    expect(await (await producer.messages.getJob(laterJob))!.getState()).toBe('waiting');
    expect(await storedMessageIds(env.dataSource)).toEqual(active.map((message) => message.id));

    // The job left behind is taken by the next worker.
    const next = await startWorker(env.config());
    try {
      await waitFor(async () => (await storedMessageIds(env.dataSource)).length === 3, 10_000, 'the waiting job');
    } finally {
      await next.stop();
    }
  });
});
