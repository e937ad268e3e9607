import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINISH_BATCH_LUA } from '@parley/chat-store';
import type { PersistMessagesJob } from '@parley/contracts';
import { unpersistedBatchesKey, unpersistedMessagesKey } from '@parley/keyspace';
import { ALL_QUEUES, openQueue } from '@parley/queues';
import { TEST_REDIS_URL } from '@parley/testing';
import { emitWithAck, pause, startChatCluster, type ChatCluster } from './support/chat-cluster.js';

let cluster: ChatCluster;
let redis: Redis;
let queue: Queue<PersistMessagesJob>;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_backlog', env: { SEND_BURST: '50', SEND_RATE_PER_SECOND: '50' } });
  redis = new Redis(TEST_REDIS_URL);
  queue = openQueue('messages', { connection: redis, installPrefix: cluster.redisPrefix });
});

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await cluster?.close();
});

/** One sample of a pod's /metrics, matched by name and labels. */
async function metric(instance: number, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(`${cluster.instances[instance]!.adminUrl}/metrics`)).text();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1], label[2]]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

describe('the backlog as every chat-socket pod sees it (no persistence worker running)', () => {
  it('exports the backlog series at 0 from the first scrape of a fresh pod', async () => {
    for (const name of ['parley_messages_unpersisted', 'parley_messages_unpersisted_batches', 'parley_persistence_lag_oldest_seconds']) {
      expect(await metric(1, name), name).toBe(0);
    }
    for (const queueName of ALL_QUEUES) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) expect(await metric(1, 'parley_queue_jobs', { queue: queueName, state }), `${queueName} ${state}`).toBe(0);
      expect(await metric(1, 'parley_queue_oldest_waiting_age_seconds', { queue: queueName })).toBe(0);
    }
    expect(await metric(1, 'parley_backlog_sample_failures_total')).toBe(0);
  });

  it('counts acknowledged messages (not jobs) waiting for PostgreSQL, on a pod that did not accept them, and their lag grows while nobody stores them', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const room = await cluster.api(0, 'POST', '/api/v1/rooms', { token: alice.token, body: { name: 'backlog', memberIds: [bob.id] } });
    expect(room.status).toBe(201);
    const socket = await cluster.connect(0, alice);
    const acks = await Promise.all(
      Array.from({ length: 5 }, (_, index) => emitWithAck(socket, 'message:send', { roomId: room.body.id, clientMsgId: randomUUID(), body: `waiting ${index}` })),
    );
    expect(acks.every((ack) => ack.ok)).toBe(true);
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.length).toBeGreaterThanOrEqual(1);

    expect(await metric(1, 'parley_messages_unpersisted')).toBe(5);
    expect(await metric(1, 'parley_messages_unpersisted_batches')).toBe(jobs.length);
    expect(await metric(1, 'parley_queue_jobs', { queue: 'messages', state: 'waiting' })).toBe(jobs.length);
    const firstLag = (await metric(1, 'parley_persistence_lag_oldest_seconds'))!;
    const firstAge = (await metric(1, 'parley_queue_oldest_waiting_age_seconds', { queue: 'messages' }))!;
    await pause(1_100);
    expect(await metric(1, 'parley_persistence_lag_oldest_seconds')).toBeGreaterThan(firstLag);
    expect(await metric(1, 'parley_queue_oldest_waiting_age_seconds', { queue: 'messages' })).toBeGreaterThan(firstAge);

    // What the worker does when a batch's job is done (twice: a re-run must not count twice).
    for (const job of jobs) {
      for (let run = 0; run < 2; run += 1) {
        await redis.eval(FINISH_BATCH_LUA, 3, job.data.acceptedKey!, unpersistedBatchesKey(cluster.redisPrefix), unpersistedMessagesKey(cluster.redisPrefix));
      }
    }
    expect(await metric(1, 'parley_messages_unpersisted')).toBe(0);
    expect(await metric(1, 'parley_messages_unpersisted_batches')).toBe(0);
    expect(await metric(1, 'parley_persistence_lag_oldest_seconds')).toBe(0);
  });
});
