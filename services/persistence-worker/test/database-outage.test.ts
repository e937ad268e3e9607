import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from '@parley/db';
import { startPrivatePostgres, testRedisPrefix, deleteRedisPrefix, type PrivatePostgres } from '@parley/testing';
import { loadPersistenceWorkerConfig } from '../src/config.js';
import { sampleValue } from './support/prometheus-text.js';
import { capturingLogger, createRoom, makeMessage, migratedChatDataSource, startWorker, TestProducer, waitFor, type RunningWorker } from './support/worker-harness.js';

/**
 * PostgreSQL (a private server: the shared one is never stopped) goes away while batches keep
 * coming. Every failed attempt is retried, nothing is lost once it is back, and the logs say so
 * in a few lines: one full line per kind of failure, then counts, instead of a stack trace per
 * attempt (90 MB in two minutes of an outage before).
 */
let postgres: PrivatePostgres;
let dataSource: DataSource;
let prefix: string;
let producer: TestProducer;
let running: RunningWorker;
const logs = capturingLogger('info');

beforeAll(async () => {
  postgres = await startPrivatePostgres();
  dataSource = await migratedChatDataSource(postgres.url);
  prefix = testRedisPrefix('pw_outage');
  producer = new TestProducer(prefix);
  const config = loadPersistenceWorkerConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: postgres.url,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: prefix,
    MAIL_WORKER_ENABLED: 'false',
    STALLED_INTERVAL_MS: '1000',
    LOCK_DURATION_MS: '5000',
  });
  running = await startWorker(config, logs.logger);
}, 60_000);

afterAll(async () => {
  await running?.stop();
  await producer?.close();
  await dataSource?.destroy().catch(() => undefined);
  await postgres?.destroy();
  await deleteRedisPrefix(prefix);
});

const retriesSoFar = async () => sampleValue(await (await fetch(`${running.adminUrl}/metrics`)).text(), 'parley_job_retries_total', { queue: 'messages' }) ?? 0;

describe('a PostgreSQL outage under the persistence worker', () => {
  it('retries every batch until PostgreSQL is back, loses none, and summarises the failed attempts instead of logging each', async () => {
    const sender = randomUUID();
    const roomId = await createRoom(dataSource, [sender]);
    const batches = Array.from({ length: 10 }, () => Array.from({ length: 5 }, () => makeMessage(roomId, sender)));
    await dataSource.destroy();

    await postgres.stop('fast');
    const jobIds: string[] = [];
    for (const batch of batches) jobIds.push(await producer.enqueueBatch(batch, { backoff: { type: 'jitter', delay: 100 } }));
    await waitFor(async () => (await retriesSoFar()) >= 40, 60_000, '40 failed attempts');
    await postgres.start();

    await waitFor(async () => {
      const states = await Promise.all(jobIds.map((id) => producer.messages.getJobState(id)));
      return states.every((state) => state === 'completed');
    }, 60_000, 'every batch to be stored once PostgreSQL is back');
    dataSource = await migratedChatDataSource(postgres.url);
    const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM chat.messages WHERE room_id = $1', [roomId]);
    expect(count).toBe(50);

    const retried = await retriesSoFar();
    await running.stop();
    const lines = logs.lines().filter((line) => line.queue === 'messages');
    const full = lines.filter((line) => String(line.msg).startsWith('job failed, will retry'));
    const summaries = lines.filter((line) => line.msg === 'job attempts kept failing and will retry');
    // One full line (with its stack) per kind of failure: refused connections, and maybe the
    // shutdown's 57P01 or a terminated connection, not one per attempt.
    expect(retried).toBeGreaterThanOrEqual(40);
    expect(full.length).toBeGreaterThanOrEqual(1);
    expect(full.length).toBeLessThanOrEqual(4);
    expect(new Set(full.map((line) => line.failureKind)).size).toBe(full.length);
    expect(full.every((line) => typeof (line.err as { stack?: unknown } | undefined)?.stack === 'string')).toBe(true);
    expect(summaries.every((line) => line.err === undefined)).toBe(true);
    // Every failed attempt is accounted for: logged in full or counted in a summary.
    const summarised = summaries.reduce((sum, line) => sum + Number(line.failures), 0);
    expect(full.length + summarised).toBe(retried);
  }, 150_000);
});
