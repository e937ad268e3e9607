import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import type { PersistMessagesResult } from '../src/messages/persist-messages-processor.js';
import { createRoom, createWorkerTestEnv, makeMessage, startWorker, TestProducer, waitFor, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

/**
 * Jobs of the `messages` queue that one worker process runs at the same time share one store
 * round: one INSERT for all their messages (docs/decisions/0045-shared-store-rounds.md). The jobs
 * here are queued while no worker runs, so that it finds them waiting, as after a burst; with
 * MESSAGES_CONCURRENCY=4 it takes four at a time, and its first INSERT waits on a lock until it
 * holds them (startWorkerWithJobsPiledUp). Real PostgreSQL and Redis.
 */
let env: WorkerTestEnv;
let producer: TestProducer;
let running: RunningWorker | undefined;

beforeEach(async () => {
  env = await createWorkerTestEnv('pw_store_rounds');
  producer = new TestProducer(env.prefix);
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await producer?.close();
  await env?.cleanup();
});

async function finished(id: string): Promise<{ state: string; result?: PersistMessagesResult; failedReason?: string; attempts: number }> {
  return waitFor(async () => {
    // State first: a job read before it completed has no return value yet.
    const state = await producer.messages.getJobState(id);
    const job = await producer.messages.getJob(id);
    if (state === 'completed') return { state, result: job!.returnvalue as PersistMessagesResult, attempts: job!.attemptsMade };
    if (job && job.attemptsMade >= 1 && job.failedReason) return { state, failedReason: job.failedReason, attempts: job.attemptsMade };
    return undefined;
  }, 30_000, `job ${id} to complete or fail`);
}

async function storedAmong(messages: Message[]): Promise<Set<string>> {
  const rows: Array<{ id: string }> = await env.dataSource.query('SELECT id::text AS id FROM chat.messages WHERE id::text = ANY($1::text[])', [messages.map((message) => message.id)]);
  return new Set(rows.map((row) => row.id));
}

/**
 * Starts the worker while a test transaction holds a SHARE lock on chat.rooms, which every
 * INSERT of the worker waits for (it moves its rooms' last activity in the same statement), and
 * lets go only once the worker holds `active` jobs. The first round is stuck on the lock while the
 * worker takes the others, which then go together in the next round: what a busy worker sees,
 * made certain instead of left to timing.
 */
async function startWorkerWithJobsPiledUp(active: number): Promise<RunningWorker> {
  const blocker = env.dataSource.createQueryRunner();
  await blocker.connect();
  try {
    await blocker.startTransaction();
    await blocker.query('LOCK TABLE chat.rooms IN SHARE MODE');
    const worker = await startWorker(env.config({ MESSAGES_CONCURRENCY: '4' }));
    await waitFor(async () => (await producer.messages.getActiveCount()) >= active, 15_000, `${active} active jobs`);
    await blocker.commitTransaction();
    return worker;
  } finally {
    if (blocker.isTransactionActive) await blocker.rollbackTransaction();
    await blocker.release();
  }
}

async function queuedJobs(count: number, size: number, roomId: string, sender: string): Promise<Array<{ id: string; messages: Message[] }>> {
  const jobs: Array<{ id: string; messages: Message[] }> = [];
  for (let index = 0; index < count; index += 1) {
    const messages = Array.from({ length: size }, () => makeMessage(roomId, sender));
    jobs.push({ id: await producer.enqueueBatch(messages), messages });
  }
  return jobs;
}

describe('jobs active at the same time share one store round', () => {
  it('stores 12 waiting jobs in fewer INSERTs than jobs, each message once, and says per job how many jobs shared its round', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(env.dataSource, [sender]);
    const jobs = await queuedJobs(12, 3, roomId, sender);

    running = await startWorkerWithJobsPiledUp(4);
    const results = await Promise.all(jobs.map((job) => finished(job.id)));

    expect(results.map((result) => result.state)).toEqual(jobs.map(() => 'completed'));
    for (const result of results) expect(result.result).toMatchObject({ inserted: 3, duplicates: 0, deadLettered: 0 });
    const rounds = results.map((result) => result.result!.roundJobs);
    expect(Math.max(...rounds), `jobs per round: ${rounds.join(', ')}`).toBeGreaterThan(1);
    expect(Math.max(...rounds)).toBeLessThanOrEqual(4);
    // Each INSERT's jobs all report its size: the sum over jobs of 1/size is the number of INSERTs.
    const inserts = rounds.reduce((sum, size) => sum + 1 / size, 0);
    expect(Math.round(inserts)).toBeLessThan(jobs.length);
    expect((await storedAmong(jobs.flatMap((job) => job.messages))).size).toBe(36);
    const [{ count }] = await env.dataSource.query('SELECT count(*)::int AS count FROM chat.messages WHERE room_id = $1', [roomId]);
    expect(count).toBe(36);
  });

  it('stores a batch enqueued twice once, counting its messages as inserted for one of the two jobs and as duplicates for the other', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(env.dataSource, [sender]);
    await queuedJobs(1, 2, roomId, sender);
    const batch = Array.from({ length: 3 }, () => makeMessage(roomId, sender));
    // Behind one other job: the first round holds that one, the next both of these.
    const twice = [await producer.enqueueBatch(batch), await producer.enqueueBatch(batch)];

    running = await startWorkerWithJobsPiledUp(3);
    const results = await Promise.all(twice.map((id) => finished(id)));

    expect(results.map((result) => result.state)).toEqual(['completed', 'completed']);
    const inserted = results.map((result) => result.result!.inserted);
    const duplicates = results.map((result) => result.result!.duplicates);
    expect(inserted.reduce((sum, count) => sum + count, 0), `inserted ${inserted.join(' + ')}, rounds of ${results.map((result) => result.result!.roundJobs).join(' and ')} jobs`).toBe(3);
    expect(duplicates.reduce((sum, count) => sum + count, 0)).toBe(3);
    expect((await storedAmong(batch)).size).toBe(3);
  });

  it('sets aside a message PostgreSQL refuses under its own job, and stores every other message of the round', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(env.dataSource, [sender]);
    const before = await queuedJobs(3, 4, roomId, sender);
    const poisoned = [makeMessage(roomId, sender), makeMessage(roomId, sender, { body: 'nul \u0000 byte' }), makeMessage(roomId, sender)];
    const poisonedJob = await producer.enqueueBatch(poisoned);
    const after = await queuedJobs(4, 4, roomId, sender);

    running = await startWorkerWithJobsPiledUp(4);
    const good = [...before, ...after];
    const results = await Promise.all([...good.map((job) => finished(job.id)), finished(poisonedJob)]);

    expect(results.map((result) => result.state)).toEqual(results.map(() => 'completed'));
    for (const result of results.slice(0, -1)) expect(result.result).toMatchObject({ inserted: 4, deadLettered: 0 });
    expect(results.at(-1)!.result).toMatchObject({ inserted: 2, deadLettered: 1 });
    const stored = await storedAmong([...good.flatMap((job) => job.messages), ...poisoned]);
    expect(stored.size).toBe(7 * 4 + 2);
    expect(stored.has(poisoned[1]!.id)).toBe(false);
    const letters: Array<{ message_id: string; job_id: string; reason: string }> = await env.dataSource.query(
      'SELECT message_id, job_id, reason FROM chat.message_dead_letters WHERE room_id = $1',
      [roomId],
    );
    expect(letters).toEqual([{ message_id: poisoned[1]!.id, job_id: poisonedJob, reason: 'rejected_by_database' }]);
  });

  it('fails a job whose message clashes with a stored one on (room, seq) alone: the other jobs of its round complete', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(env.dataSource, [sender]);
    // Another message already holds (room, seq) of the clashing job's second message.
    const holder = makeMessage(roomId, sender);
    await producer.enqueueBatch([holder]);
    running = await startWorker(env.config({ MESSAGES_CONCURRENCY: '4' }));
    await waitFor(async () => (await storedAmong([holder])).size === 1, 15_000, 'the holder to be stored');
    await running.stop();
    running = undefined;

    const before = await queuedJobs(2, 3, roomId, sender);
    const clashing = [makeMessage(roomId, sender), makeMessage(roomId, sender, { seq: holder.seq })];
    const clashingJob = await producer.enqueueBatch(clashing, { attempts: 1 });
    const after = await queuedJobs(5, 3, roomId, sender);
    running = await startWorkerWithJobsPiledUp(4);

    const good = [...before, ...after];
    const results = await Promise.all(good.map((job) => finished(job.id)));
    expect(results.map((result) => result.state)).toEqual(good.map(() => 'completed'));
    expect(Math.max(...results.map((result) => result.result!.roundJobs))).toBeGreaterThan(1);
    expect((await storedAmong(good.flatMap((job) => job.messages))).size).toBe(21);

    const failed = await finished(clashingJob);
    expect(failed.state).toBe('failed');
    expect(failed.failedReason).toContain(`messages ${clashing[1]!.id} clash with stored messages on (room, seq)`);
    // The job's other message is stored (the insert skips only the clash); the clash is not.
    expect(await storedAmong(clashing)).toEqual(new Set([clashing[0]!.id]));
  });
});

describe('MESSAGES_ROUND_WINDOW_MS', () => {
  it("lets jobs that come one by one within the window of the last round's start wait and share one INSERT", async () => {
    const sender = randomUUID();
    const roomId = await createRoom(env.dataSource, [sender]);
    // A window far longer than the gaps between the jobs below, so that the outcome does not depend on the machine's speed.
    running = await startWorker(env.config({ MESSAGES_CONCURRENCY: '4', MESSAGES_ROUND_WINDOW_MS: '3000' }));
    const [first] = await queuedJobs(1, 2, roomId, sender);
    const alone = await finished(first!.id);
    const later: Array<{ id: string; messages: Message[] }> = [];
    for (let index = 0; index < 3; index += 1) later.push(...(await queuedJobs(1, 2, roomId, sender)));
    const results = await Promise.all(later.map((job) => finished(job.id)));

    // The first job found the worker idle: it went at once, alone.
    expect(alone.result).toMatchObject({ inserted: 2, roundJobs: 1 });
    // The next three came within the window of its start: one round, one INSERT.
    expect(results.map((result) => result.result?.roundJobs)).toEqual([3, 3, 3]);
    expect((await storedAmong([...first!.messages, ...later.flatMap((job) => job.messages)])).size).toBe(8);
  });

  it('does not hold a job past the window when the worker can take no more (as many wait as MESSAGES_CONCURRENCY)', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(env.dataSource, [sender]);
    // A window longer than finished() waits (30 s): the round must start because two jobs wait, the worker's limit.
    running = await startWorker(env.config({ MESSAGES_CONCURRENCY: '2', MESSAGES_ROUND_WINDOW_MS: '60000' }));
    const [first] = await queuedJobs(1, 1, roomId, sender);
    await finished(first!.id);
    const pair = await queuedJobs(2, 1, roomId, sender);
    const results = await Promise.all(pair.map((job) => finished(job.id)));
    expect(results.map((result) => result.result?.roundJobs)).toEqual([2, 2]);
  });
});
