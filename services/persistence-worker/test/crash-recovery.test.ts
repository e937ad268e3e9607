import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { acceptedHashKey, unpersistedBatchesKey, unpersistedMessagesKey } from '@parley/keyspace';
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

/**
 * Jobs written as chat-socket's accept script writes them: each batch's accepted hash (id → seq)
 * and its entry on the ledger of acknowledged, unpersisted messages. What the ledger holds is
 * what senders were told is safe.
 */
async function acknowledgedJobs(count: number, size: number): Promise<Array<{ id: string; ids: string[] }>> {
  const jobs: Array<{ id: string; ids: string[] }> = [];
  for (let index = 0; index < count; index += 1) {
    const batch = (await freshBatch(size)).map((message) => ({ ...message, seq: 0 }));
    const acceptedKey = acceptedHashKey(env.prefix, batch[0]!.id);
    await producer.connection.hset(acceptedKey, Object.fromEntries(batch.map((message, position) => [message.id, String(position + 1)])));
    await producer.connection.zadd(unpersistedBatchesKey(env.prefix), Date.now(), acceptedKey);
    await producer.connection.incrby(unpersistedMessagesKey(env.prefix), size);
    jobs.push({ id: await producer.enqueueBatch(batch, {}, acceptedKey), ids: batch.map((message) => message.id) });
  }
  return jobs;
}

/** A SHARE lock on chat.rooms, which every INSERT of the worker waits for (it moves its rooms' last activity). */
async function lockRooms(): Promise<() => Promise<void>> {
  const blocker = env.dataSource.createQueryRunner();
  await blocker.connect();
  await blocker.startTransaction();
  await blocker.query('LOCK TABLE chat.rooms IN SHARE MODE');
  return async () => {
    if (blocker.isTransactionActive) await blocker.commitTransaction();
    await blocker.release();
  };
}

async function statementsWaitingOnALock(): Promise<number> {
  const [{ count }] = await env.dataSource.query(
    "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
  );
  return count;
}

async function ledger(): Promise<{ batches: number; messages: number }> {
  const batches = await producer.connection.zcard(unpersistedBatchesKey(env.prefix));
  const messages = Number((await producer.connection.get(unpersistedMessagesKey(env.prefix))) ?? 0);
  return { batches, messages };
}

async function storeRounds(worker: WorkerProcess): Promise<{ rounds: number; jobs: number }> {
  const port = await waitFor(async () => adminPort(worker), 10_000, 'the worker’s admin server to listen');
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    rounds: sampleValue(metrics, 'parley_message_store_round_jobs_count') ?? 0,
    jobs: sampleValue(metrics, 'parley_message_store_round_jobs_sum') ?? 0,
  };
}

/**
 * With MESSAGES_CONCURRENCY=4 the jobs a worker holds share one INSERT (a store round,
 * docs/decisions/0045-shared-store-rounds.md). A SHARE lock on chat.rooms holds the first round
 * while the worker takes the other jobs, so that the later ones go together in one round.
 */
describe('a worker killed with SIGKILL while store rounds of several jobs are in flight', () => {
  it('loses no acknowledged message and stores none twice when killed after a round committed and before any of its jobs was acknowledged', async () => {
    await producer.connection.del(unpersistedBatchesKey(env.prefix), unpersistedMessagesKey(env.prefix));
    const jobs = await acknowledgedJobs(8, 5);
    const allIds = jobs.flatMap((job) => job.ids);
    const release = await lockRooms();
    // LOG_LEVEL=info for the admin port's log line; a 4 s pause before and after each job's write.
    const doomed = spawnWorker(env.env({ PERSIST_TEST_DELAY_MS: '4000', MESSAGES_CONCURRENCY: '4', LOG_LEVEL: 'info' }));
    let held: typeof jobs;
    try {
      await waitFor(async () => (await producer.messages.getActiveCount()) === 4, 20_000, `4 active jobs\n${doomed.output()}`);
      await waitFor(async () => (await statementsWaitingOnALock()) >= 1, 20_000, `the first round to wait on the lock\n${doomed.output()}`);
      // The jobs were taken within milliseconds of each other: the others' pauses are over too,
      // and they wait for the next round.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      held = (await Promise.all(jobs.map(async (job) => ((await jobState(job.id)) === 'active' ? job : undefined)))).filter((job) => job !== undefined);
      expect(held).toHaveLength(4);
    } finally {
      await release();
    }
    const heldIds = held.flatMap((job) => job.ids);
    await waitFor(async () => (await countStored(heldIds)).total === 20, 20_000, `the held jobs' messages to be written\n${doomed.output()}`);
    const rounds = await waitFor(async () => {
      const observed = await storeRounds(doomed);
      return observed.jobs === 4 ? observed : undefined;
    }, 10_000, 'the worker to count its rounds');
    await doomed.kill('SIGKILL');

    // Fewer INSERTs than jobs stored the four jobs' messages, and none of the jobs finished.
    expect(rounds.rounds).toBeLessThan(4);
    expect(await Promise.all(held.map((job) => jobState(job.id)))).toEqual(['active', 'active', 'active', 'active']);
    expect(await ledger()).toEqual({ batches: 8, messages: 40 });

    const successor = spawnWorker(env.env({ MESSAGES_CONCURRENCY: '4' }));
    try {
      const finished = await Promise.all(jobs.map((job) => waitUntilCompleted(job.id, successor)));
      for (const [index, job] of finished.entries()) {
        const wasHeld = held.some((heldJob) => heldJob.id === jobs[index]!.id);
        expect(job.returnvalue, `job ${job.id}`).toMatchObject(wasHeld ? { inserted: 0, duplicates: 5 } : { inserted: 5, duplicates: 0 });
        if (wasHeld) expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
      }
      expect(await countStored(allIds)).toEqual({ total: 40, distinct: 40 });
      expect(await ledger()).toEqual({ batches: 0, messages: 0 });
    } finally {
      await successor.kill('SIGTERM');
    }
  }, 90_000);

  it('loses no acknowledged message and stores none twice when killed while a round waits on a lock in PostgreSQL, whatever its orphaned statement does once the lock goes', async () => {
    await producer.connection.del(unpersistedBatchesKey(env.prefix), unpersistedMessagesKey(env.prefix));
    const jobs = await acknowledgedJobs(8, 5);
    const allIds = jobs.flatMap((job) => job.ids);
    const release = await lockRooms();
    let successor: WorkerProcess | undefined;
    try {
      const doomed = spawnWorker(env.env({ MESSAGES_CONCURRENCY: '4' }));
      await waitFor(async () => (await producer.messages.getActiveCount()) === 4, 20_000, `4 active jobs\n${doomed.output()}`);
      await waitFor(async () => (await statementsWaitingOnALock()) >= 1, 20_000, `a round to wait on the lock\n${doomed.output()}`);
      await doomed.kill('SIGKILL');
      expect((await countStored(allIds)).total).toBe(0);
      // PostgreSQL notices the dead client only once its statement stops waiting on the lock,
      // which may then race the successor's own INSERT of the same messages.
      successor = spawnWorker(env.env({ MESSAGES_CONCURRENCY: '4' }));
    } finally {
      await release();
    }
    try {
      const finished = await Promise.all(jobs.map((job) => waitUntilCompleted(job.id, successor!)));
      for (const job of finished) {
        const { inserted, duplicates } = job.returnvalue as { inserted: number; duplicates: number };
        expect(inserted + duplicates, `job ${job.id}`).toBe(5);
      }
      expect(await countStored(allIds)).toEqual({ total: 40, distinct: 40 });
      expect(await ledger()).toEqual({ batches: 0, messages: 0 });
      expect(await producer.messages.getJobCounts('failed')).toEqual({ failed: 0 });
    } finally {
      await successor!.kill('SIGTERM');
    }
  }, 90_000);
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
