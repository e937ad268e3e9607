import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { jobOptionsFor } from '@parley/queues';
import { createRoom, createWorkerTestEnv, makeMessage, TestProducer, waitFor, type WorkerTestEnv } from './support/worker-harness.js';
import { sampleValue } from './support/prometheus-text.js';
import { adminPort, killSpawnedWorkers, requireBuiltWorker, runRetryFailedCli, spawnWorker, type WorkerProcess } from './support/worker-process.js';

/**
 * The worker runs as a real process (dist/main.js) and is killed with SIGKILL mid-job: nothing
 * runs on the way out, so only BullMQ's stalled-job recovery (short LOCK_DURATION_MS and
 * STALLED_INTERVAL_MS here) and the idempotent batch insert stand between a crash and lost or
 * doubled messages.
 */
let env: WorkerTestEnv;
let producer: TestProducer;

beforeAll(async () => {
  requireBuiltWorker();
  env = await createWorkerTestEnv('pw_crash');
  producer = new TestProducer(env.prefix);
});

afterAll(async () => {
  await killSpawnedWorkers();
  await producer?.close();
  await env?.cleanup();
});

async function countStored(ids: string[]): Promise<{ total: number; distinct: number }> {
  const [row] = await env.dataSource.query(
    'SELECT count(*)::int AS total, count(DISTINCT id)::int AS distinct FROM chat.messages WHERE id = ANY($1::bigint[])',
    [ids],
  );
  return row;
}

async function jobState(id: string): Promise<string | undefined> {
  return (await producer.messages.getJob(id))?.getState();
}

async function waitUntilActive(id: string, worker: WorkerProcess): Promise<void> {
  await waitFor(async () => (await jobState(id)) === 'active', 20_000, `job ${id} to become active\n${worker.output()}`);
}

async function waitUntilCompleted(id: string, worker: WorkerProcess): Promise<Job> {
  return waitFor(async () => {
    return (await producer.messages.getJobState(id)) === 'completed' ? producer.messages.getJob(id) : undefined;
  }, 30_000, `job ${id} to complete\n${worker.output()}`) as Promise<Job>;
}

async function freshBatch(size: number): Promise<Message[]> {
  const sender = randomUUID();
  const room = await createRoom(env.dataSource, [sender]);
  return Array.from({ length: size }, () => makeMessage(room, sender));
}

describe('a worker killed with SIGKILL mid-job', () => {
  it('loses nothing when killed before its batch was written: the next worker recovers the stalled job', async () => {
    const batch = await freshBatch(25);
    const ids = batch.map((message) => message.id);
    const jobId = await producer.enqueueBatch(batch);
    const doomed = spawnWorker(env.env({ PERSIST_TEST_DELAY_MS: '3000', MESSAGES_CONCURRENCY: '1' }));
    await waitUntilActive(jobId, doomed);

    expect((await countStored(ids)).total).toBe(0);
    expect(await doomed.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await jobState(jobId)).toBe('active');

    const successor = spawnWorker(env.env({ LOG_LEVEL: 'info' }));
    try {
      const job = await waitUntilCompleted(jobId, successor);
      expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
      expect(job.returnvalue).toMatchObject({ inserted: 25, duplicates: 0 });
      expect(await countStored(ids)).toEqual({ total: 25, distinct: 25 });
      const port = await waitFor(async () => adminPort(successor), 10_000, 'the successor’s admin server to listen');
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(sampleValue(metrics, 'parley_jobs_stalled_total', { queue: 'messages' })).toBeGreaterThanOrEqual(1);
    } finally {
      await successor.kill('SIGTERM');
    }
  });

  it('stores each message once when killed after committing but before acknowledging the job', async () => {
    const batch = await freshBatch(25);
    const ids = batch.map((message) => message.id);
    const jobId = await producer.enqueueBatch(batch);
    const doomed = spawnWorker(env.env({ PERSIST_TEST_DELAY_MS: '1500', MESSAGES_CONCURRENCY: '1' }));
    await waitFor(async () => (await countStored(ids)).total === 25, 20_000, `the batch to be written\n${doomed.output()}`);

    expect(await jobState(jobId)).toBe('active');
    await doomed.kill('SIGKILL');

    const successor = spawnWorker(env.env());
    try {
      const job = await waitUntilCompleted(jobId, successor);
      expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
      expect(job.returnvalue).toMatchObject({ inserted: 0, duplicates: 25 });
      expect(await countStored(ids)).toEqual({ total: 25, distinct: 25 });
    } finally {
      await successor.kill('SIGTERM');
    }
  });

  it('loses none of 10,000 messages across 100 rooms and stores none twice', async () => {
    const rooms = await Promise.all(Array.from({ length: 100 }, async () => {
      const sender = randomUUID();
      return { sender, roomId: await createRoom(env.dataSource, [sender]) };
    }));
    const messages = Array.from({ length: 10_000 }, (_, index) => {
      const room = rooms[index % rooms.length]!;
      return makeMessage(room.roomId, room.sender);
    });
    const ids = messages.map((message) => message.id);
    // As chat-socket flushes: batches of 100 accepted messages, rooms interleaved.
    const jobs = await producer.messages.addBulk(
      Array.from({ length: 100 }, (_, batch) => {
        const slice = messages.slice(batch * 100, batch * 100 + 100);
        return {
          name: 'persist',
          data: { messages: slice, acceptedAt: Object.fromEntries(slice.map((message) => [message.id, Date.parse(message.createdAt)])) },
          opts: jobOptionsFor('messages'),
        };
      }),
    );

    const doomed = spawnWorker(env.env({ PERSIST_TEST_DELAY_MS: '100', MESSAGES_CONCURRENCY: '4' }));
    await waitFor(async () => (await countStored(ids)).total >= 3_000, 60_000, `3,000 messages to be written\n${doomed.output()}`);
    await doomed.kill('SIGKILL');
    const atKill = await countStored(ids);
    expect(atKill.total).toBeLessThan(10_000);

    const successor = spawnWorker(env.env({ MESSAGES_CONCURRENCY: '4' }));
    try {
      await waitFor(async () => {
        const states = await Promise.all(jobs.map((job) => job.getState()));
        return states.every((state) => state === 'completed');
      }, 60_000, `all 100 jobs to complete\n${successor.output()}`);

      expect(await countStored(ids)).toEqual({ total: 10_000, distinct: 10_000 });
      const stored: Array<{ id: string }> = await env.dataSource.query('SELECT id FROM chat.messages WHERE id = ANY($1::bigint[])', [ids]);
      const storedIds = new Set(stored.map((row) => row.id));
      expect(ids.filter((id) => !storedIds.has(id))).toEqual([]);
      const perRoom: Array<{ count: number }> = await env.dataSource.query(
        'SELECT count(*)::int AS count FROM chat.messages WHERE room_id = ANY($1::uuid[]) GROUP BY room_id',
        [rooms.map((room) => room.roomId)],
      );
      expect(perRoom).toHaveLength(100);
      expect(perRoom.every((room) => room.count === 100)).toBe(true);
      expect(await producer.messages.getJobCounts('failed')).toEqual({ failed: 0 });
      // Jobs the killed worker held were recovered by the stalled-job check, not lost.
      const finished = await Promise.all(jobs.map((job) => producer.messages.getJob(job.id!)));
      expect(finished.filter((job) => (job?.stalledCounter ?? 0) > 0).length).toBeGreaterThanOrEqual(1);
    } finally {
      await successor.kill('SIGTERM');
    }
  }, 150_000);
});

describe('a worker stopped with SIGTERM', () => {
  it('lets its active job finish, then exits 0', async () => {
    const batch = await freshBatch(10);
    const jobId = await producer.enqueueBatch(batch);
    const worker = spawnWorker(env.env({ PERSIST_TEST_DELAY_MS: '1000', MESSAGES_CONCURRENCY: '1' }));
    await waitUntilActive(jobId, worker);

    const exit = await worker.kill('SIGTERM');

    expect(exit).toEqual({ code: 0, signal: null });
    expect(await jobState(jobId)).toBe('completed');
    expect(await countStored(batch.map((message) => message.id))).toEqual({ total: 10, distinct: 10 });
  });

  it('exits after SHUTDOWN_TIMEOUT_MS when a job outlasts it, and the next worker finishes that job', async () => {
    const batch = await freshBatch(10);
    const ids = batch.map((message) => message.id);
    const jobId = await producer.enqueueBatch(batch);
    const worker = spawnWorker(env.env({ PERSIST_TEST_DELAY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '300', MESSAGES_CONCURRENCY: '1' }));
    await waitUntilActive(jobId, worker);

    expect(await worker.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await jobState(jobId)).toBe('active');

    const successor = spawnWorker(env.env());
    try {
      await waitUntilCompleted(jobId, successor);
      expect(await countStored(ids)).toEqual({ total: 10, distinct: 10 });
    } finally {
      await successor.kill('SIGTERM');
    }
  });
});

describe('the retry-failed command', () => {
  it('runs as a built CLI: lists a failed job and re-queues it', async () => {
    const poisoned = await producer.messages.add('persist', { messages: [] } as never, { attempts: 1 });
    const worker = spawnWorker(env.env());
    const cliEnv = { REDIS_URL: env.config().REDIS_URL, REDIS_KEY_PREFIX: env.prefix };
    try {
      await waitFor(async () => (await poisoned.getState()) === 'failed', 20_000, `the poisoned job to fail\n${worker.output()}`);

      const listed = await runRetryFailedCli(['--queue', 'messages', '--list'], cliEnv);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(`${poisoned.id}\t`);
      expect(listed.stdout).toContain('1 failed job(s) in queue messages');

      const retried = await runRetryFailedCli(['--queue', 'messages', '--limit', '5'], cliEnv);
      expect(retried).toMatchObject({ code: 0, stdout: `re-queued 1 failed job(s) of queue messages: ${poisoned.id}\n` });
    } finally {
      await worker.kill('SIGTERM');
    }
  });

  it('exits 2 with usage on a bad queue name', async () => {
    const result = await runRetryFailedCli(['--queue', 'nope'], { REDIS_URL: env.config().REDIS_URL, REDIS_KEY_PREFIX: env.prefix });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--queue must be one of: mail, messages, notifications');
  });
});
