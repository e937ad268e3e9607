import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from '@parley/db';
import { createTestDatabase, type TestDatabase } from '@parley/testing';
import { runRetryFailedCommand } from '../src/failed-jobs/retry-failed-command.js';
import { sampleValue } from './support/prometheus-text.js';
import { createWorkerTestEnv, makeMessage, migratedChatDataSource, startWorker, storedMessageIds, TestProducer, waitFor, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

/**
 * The worker points at a database without the chat schema: every write fails until the
 * schema is created ("the cause is fixed"), then the retry command re-queues the job.
 */
let env: WorkerTestEnv;
let brokenDatabase: TestDatabase;
let producer: TestProducer;
let running: RunningWorker;
let fixedDataSource: DataSource | undefined;
const retryDelays: number[] = [];

beforeAll(async () => {
  env = await createWorkerTestEnv('pw_failed');
  brokenDatabase = await createTestDatabase('pw_failed_noschema');
  producer = new TestProducer(env.prefix);
  running = await startWorker(env.config({ DATABASE_URL: brokenDatabase.url }));
  running.worker.workers
    .find((worker) => worker.name === 'messages')!
    .on('failed', (job) => {
      if (job && job.attemptsMade < (job.opts.attempts ?? 1)) retryDelays.push(job.delay);
    });
});

afterAll(async () => {
  await running?.stop();
  await producer?.close();
  await fixedDataSource?.destroy();
  await brokenDatabase?.drop();
  await env?.cleanup();
});

const command = (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const run = runRetryFailedCommand(args, { REDIS_URL: env.config().REDIS_URL, REDIS_KEY_PREFIX: env.prefix }, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return run.then((code) => ({ code, out: out.join('\n'), err: err.join('\n') }));
};

describe('failed message jobs', () => {
  const sender = randomUUID();
  const room = randomUUID();
  const batch = [makeMessage(room, sender), makeMessage(room, sender)];
  let jobId: string;

  it('retries a job whose write fails with jittered exponential backoff, then keeps it in the failed set', async () => {
    jobId = await producer.enqueueBatch(batch, { attempts: 3, backoff: { type: 'jitter', delay: 200 } });

    const job = await waitFor(async () => {
      return (await producer.messages.getJobState(jobId)) === 'failed' ? producer.messages.getJob(jobId) : undefined;
    }, 20_000, 'the job to fail for good');

    expect(job!.attemptsMade).toBe(3);
    expect(job!.failedReason).toMatch(/relation "chat\.(messages|rooms)" does not exist/);
    // Attempt n waits between half and all of base × 2^(n-1).
    expect(retryDelays).toHaveLength(2);
    expect(retryDelays[0]).toBeGreaterThanOrEqual(100);
    expect(retryDelays[0]).toBeLessThanOrEqual(200);
    expect(retryDelays[1]).toBeGreaterThanOrEqual(200);
    expect(retryDelays[1]).toBeLessThanOrEqual(400);
    const metrics = await (await fetch(`${running.adminUrl}/metrics`)).text();
    expect(sampleValue(metrics, 'parley_job_retries_total', { queue: 'messages' })).toBe(2);
    expect(sampleValue(metrics, 'parley_queue_jobs', { queue: 'messages', state: 'failed' })).toBe(1);
  });

  it('lists the failed jobs with their reason', async () => {
    const result = await command('--queue', 'messages', '--list');

    expect(result.code).toBe(0);
    expect(result.out).toContain(jobId);
    expect(result.out).toMatch(/attempts=3/);
    expect(result.out).toMatch(/does not exist/);
    expect(result.out).toMatch(/1 failed job\(s\) in queue messages/);
  });

  it('re-queues the failed job, which succeeds once the schema exists, storing each message once', async () => {
    fixedDataSource = await migratedChatDataSource(brokenDatabase.url);

    const result = await command('--queue', 'messages', '--limit', '10');

    expect(result).toMatchObject({ code: 0, out: `re-queued 1 failed job(s) of queue messages: ${jobId}` });
    await waitFor(async () => (await (await producer.messages.getJob(jobId))?.getState()) === 'completed', 15_000, 'the retried job');
    expect(await storedMessageIds(fixedDataSource)).toEqual(batch.map((message) => message.id));
    expect((await command('--queue', 'messages', '--list')).out).toMatch(/^0 failed job\(s\)/);
  });

  it('rejects an unknown queue, a bad limit and unknown options with usage and exit code 2', async () => {
    for (const args of [['--queue', 'nope'], ['--queue', 'messages', '--limit', '0'], ['--queue', 'messages', '--force'], []]) {
      const result = await command(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toMatch(/Usage: npm run jobs:retry-failed/);
    }
  });

  it('reports an invalid REDIS_URL as a configuration error', async () => {
    const code = await runRetryFailedCommand(['--queue', 'messages'], { REDIS_URL: 'http://nope' }, { out: () => undefined, err: () => undefined });
    expect(code).toBe(1);
  });
});
