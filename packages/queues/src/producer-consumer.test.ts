import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationJob } from '@parley/contracts';
import { createLogger } from '@parley/logger';
import { Registry } from '@parley/metrics';
import { startPrivateRedis, type PrivateRedis } from '@parley/testing';
import { startConsumer } from './consumer.js';
import { openQueue } from './open-queue.js';
import { createProducer, type Producer } from './producer.js';
import { createQueueMetrics, type QueueMetrics } from './queue-metrics.js';
import { ALL_QUEUES } from './queue-names.js';
import { QUEUE_POLICIES } from './queue-policy.js';

let redis: PrivateRedis;
let connection: Redis;
let installPrefix: string;
let registry: Registry;
let metrics: QueueMetrics;
let lines: Array<Record<string, unknown>>;
const closing: Array<{ close(): Promise<unknown> }> = [];

const logger = () =>
  createLogger({
    service: 'queue-kit-test',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    }),
  });

const friendRequest = (): Extract<NotificationJob, { kind: 'friend_request' }> => ({ kind: 'friend_request', requestId: randomUUID(), fromUserId: randomUUID(), toUserId: randomUUID() });

/** The value of one series in the registry's exposition (undefined: no such series). */
async function sample(name: string, labels: string): Promise<number | undefined> {
  const line = (await registry.metrics()).split('\n').find((entry) => entry.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

function finished<Data, Result>(worker: Worker<Data, Result>, jobId: string): Promise<{ state: 'completed' | 'failed'; job: Job<Data, Result> }> {
  return new Promise((resolve) => {
    worker.on('completed', (job) => job.id === jobId && resolve({ state: 'completed', job }));
    worker.on('failed', (job, error) => {
      const forGood = error instanceof UnrecoverableError || (job?.attemptsMade ?? 0) >= (job?.opts.attempts ?? 1);
      if (job?.id === jobId && forGood) resolve({ state: 'failed', job });
    });
  });
}

beforeAll(async () => {
  redis = await startPrivateRedis({ appendfsync: 'no' });
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  connection?.disconnect();
  await redis?.close();
});

afterEach(async () => {
  for (const item of closing.splice(0).reverse()) await item.close();
});

function freshInstall(): Producer<'notifications'> {
  installPrefix = `kit-${randomUUID().slice(0, 8)}:`;
  registry = new Registry();
  metrics = createQueueMetrics(registry);
  lines = [];
  const producer = createProducer('notifications', { connection, installPrefix, logger: logger() });
  closing.push(producer);
  return producer;
}

describe('a producer of the queue kit', () => {
  it('adds every job with its queue’s policy: attempts, backoff and retention', async () => {
    freshInstall();
    for (const name of ALL_QUEUES) {
      const producer = createProducer(name, { connection, installPrefix });
      closing.push(producer);
      const { attempts, backoff, removeOnComplete, removeOnFail } = QUEUE_POLICIES[name];
      expect(producer.jobOptions).toEqual({ attempts, backoff, removeOnComplete, removeOnFail });
    }
    const producer = createProducer('notifications', { connection, installPrefix });
    closing.push(producer);
    const id = await producer.add({ name: 'friend_request', data: friendRequest(), jobId: 'friend-request-1' });
    const stored = await producer.queue.getJob(id!);
    expect(stored?.opts).toMatchObject({ attempts: 8, backoff: { type: 'jitter', delay: 1_000 }, removeOnComplete: { age: 3600, count: 20_000 }, removeOnFail: { age: 14 * 24 * 3600 } });
  });

  it('keeps the jobs under the install’s prefix, so installs sharing a Redis stay apart', async () => {
    const producer = freshInstall();
    await producer.add({ name: 'friend_request', data: friendRequest() });
    const keys = await connection.keys(`${installPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith(`${installPrefix}bull:notifications:`))).toBe(true);
    const other = openQueue('notifications', { connection, installPrefix: 'kit-other-install:' });
    closing.push(other);
    expect(await other.count()).toBe(0);
  });

  it('refuses data its queue’s schema refuses, and enqueues nothing of such a batch', async () => {
    const producer = freshInstall();
    const hostile = { kind: 'friend_request', requestId: 'not-a-uuid', fromUserId: randomUUID(), toUserId: randomUUID() } as unknown as NotificationJob;
    await expect(producer.add({ name: 'friend_request', data: hostile })).rejects.toThrow();
    await expect(producer.addBulk([{ name: 'friend_request', data: friendRequest() }, { name: 'friend_request', data: hostile }])).rejects.toThrow();
    expect(await producer.queue.count()).toBe(0);
  });

  it('makes adding a job again with the same id a no-op while the first is kept', async () => {
    const producer = freshInstall();
    const data = friendRequest();
    await producer.add({ name: 'friend_request', data, jobId: `friend-request-${data.requestId}` });
    await producer.add({ name: 'friend_request', data, jobId: `friend-request-${data.requestId}` });
    expect(await producer.queue.count()).toBe(1);
  });
});

describe('a consumer of the queue kit', () => {
  it('retries a failing job with the queue’s jittered backoff until it succeeds, and counts the attempts', async () => {
    const producer = freshInstall();
    const attempts: number[] = [];
    const worker = startConsumer(
      'notifications',
      async (job) => {
        attempts.push(Date.now());
        if (job.attemptsMade < 2) throw new Error('database unavailable');
        return 'stored';
      },
      { connection, installPrefix, logger: logger(), metrics },
    );
    closing.push(worker);
    const id = (await producer.add({ name: 'friend_request', data: friendRequest() }))!;
    const outcome = await finished(worker, id);

    expect(outcome.state).toBe('completed');
    expect(outcome.job.attemptsMade).toBe(3);
    // Equal jitter: the n-th retry waits at least half of base × 2^(n-1) (base 1 s for this queue).
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(500 - 50);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(1_000 - 50);
    expect(await sample('parley_job_retries_total', 'queue="notifications"')).toBe(2);
    expect(await sample('parley_jobs_completed_total', 'queue="notifications"')).toBe(1);
    expect(await sample('parley_jobs_failed_total', 'queue="notifications"')).toBe(0);
    expect(await sample('parley_job_duration_seconds_count', 'queue="notifications"')).toBe(3);
    // A completed job is kept (its id stays a no-op for re-adds) with the queue's retention.
    expect(await producer.queue.getJobState(id)).toBe('completed');
    // Retries of one kind are logged once in full, then summarised.
    expect(lines.filter((line) => String(line.msg).startsWith('job failed, will retry'))).toHaveLength(1);
  });

  it('with jobIntervalMs takes at most one job per interval, so the others wait in the queue', async () => {
    const producer = freshInstall();
    const ids: string[] = [];
    for (let index = 0; index < 4; index += 1) ids.push((await producer.add({ name: 'friend_request', data: friendRequest() }))!);
    const starts: number[] = [];
    const worker = startConsumer(
      'notifications',
      async () => {
        starts.push(Date.now());
      },
      { connection, installPrefix, logger: logger(), metrics, concurrency: 4, jobIntervalMs: 300 },
    );
    closing.push(worker);
    await finished(worker, ids[3]!);
    expect(starts).toHaveLength(4);
    // Four jobs waiting and four slots free: without the limit all four start at once.
    for (let index = 1; index < starts.length; index += 1) expect(starts[index]! - starts[index - 1]!).toBeGreaterThanOrEqual(300 - 50);
  });

  it('keeps a job that failed for good in the failed set, logs it and counts it', async () => {
    const producer = freshInstall();
    const worker = startConsumer(
      'notifications',
      async () => {
        throw new UnrecoverableError('malformed beyond repair');
      },
      { connection, installPrefix, logger: logger(), metrics },
    );
    closing.push(worker);
    const id = (await producer.add({ name: 'friend_request', data: friendRequest() }))!;
    const outcome = await finished(worker, id);

    expect(outcome.state).toBe('failed');
    expect(await producer.queue.getJobState(id)).toBe('failed');
    expect((await producer.queue.getJob(id))?.opts.removeOnFail).toEqual(QUEUE_POLICIES.notifications.removeOnFail);
    expect(await sample('parley_jobs_failed_total', 'queue="notifications"')).toBe(1);
    expect(await sample('parley_job_retries_total', 'queue="notifications"')).toBe(0);
    expect(lines.find((line) => line.msg === 'job failed for good; kept in the failed set')).toMatchObject({ queue: 'notifications', jobId: id });
  });

  it('exports the job counts of the queues it is told to gauge', async () => {
    const producer = freshInstall();
    await producer.addBulk([{ name: 'friend_request', data: friendRequest() }, { name: 'friend_request', data: friendRequest() }]);
    const gauged = openQueue('notifications', { connection, installPrefix });
    closing.push(gauged);
    metrics.gaugeQueues([gauged]);
    expect(await sample('parley_queue_jobs', 'queue="notifications",state="waiting"')).toBe(2);
    expect(await sample('parley_queue_jobs', 'queue="notifications",state="failed"')).toBe(0);
  });

  it('closes a worker stopped while it is still connecting without leaving an unhandled rejection', async () => {
    freshInstall();
    const rejections: unknown[] = [];
    const record = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', record);
    try {
      // A pod stopped while starting: each worker is closed within milliseconds of being created,
      // while its blocking connection is still checking the server's version.
      for (let round = 0; round < 80; round += 1) {
        const worker = startConsumer('notifications', async () => undefined, { connection, installPrefix, logger: logger(), metrics });
        await new Promise((resolve) => setTimeout(resolve, round % 8));
        await worker.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(rejections.map(String)).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
