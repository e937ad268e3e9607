import { randomBytes, randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, PersistMessagesJob } from '@parley/contracts';
import { acceptedHashKey, messageKeyLayoutKey, messageQueuesKey, messageShardKeyPrefix, unpersistedBatchesKey, unpersistedMessagesKey } from '@parley/keyspace';
import { createLogger } from '@parley/logger';
import { createMessageKeyLayout, jobOptionsFor, messageShardOf, openQueue } from '@parley/queues';
import { closeRedis, createRedis, type Redis } from '@parley/redis';
import { deleteRedisPrefix, startRedisCluster, TEST_REDIS_URL, type PrivateRedisCluster } from '@parley/testing';
import { runRetryFailedCommand } from '../src/failed-jobs/retry-failed-command.js';
import { checkMessageKeyLayout } from '../src/messages/message-key-layout-check.js';
import { sampleValue } from './support/prometheus-text.js';
import { capturingLogger, createRoom, createWorkerTestEnv, makeMessage, startWorker, waitFor, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

/**
 * MESSAGE_SHARD_KEYS=shard (docs/decisions/0043-hash-tag-per-message-shard.md): each shard of
 * `messages` but shard 0 keeps its queue, accepted hashes and ledger under a hash tag of its own
 * (`{prefix:m2}:`). On the one test Redis the tags are only characters of the key names, which is
 * enough to tell whether the worker reads and clears the right ones; on a Redis Cluster a key
 * outside its script's slot is refused outright (CROSSSLOT).
 */
const SHARDS = 3;

describe.each([
  { target: 'one Redis', cluster: false },
  { target: 'a Redis Cluster', cluster: true },
])('message queues and ledgers under each shard\'s hash tag (MESSAGE_SHARD_KEYS=shard), on $target', ({ cluster: onCluster }) => {
  const prefix = `{t-pwkeys-${randomBytes(4).toString('hex')}}:`;
  const shardPrefix = (shard: number) => messageShardKeyPrefix(prefix, shard, 'shard');
  let redisCluster: PrivateRedisCluster | undefined;
  let redisUrl = TEST_REDIS_URL;
  let env: WorkerTestEnv;
  let running: RunningWorker;
  let redis: Redis;
  const queues = new Map<number, Queue<PersistMessagesJob>>();

  beforeAll(async () => {
    if (onCluster) {
      redisCluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 0 });
      redisUrl = redisCluster.url;
    }
    env = await createWorkerTestEnv('pw_shardkeys', { redisKeyPrefix: prefix });
    redis = createRedis({ url: redisUrl, name: 'shard-keys-producer', logger: createLogger({ service: 'test', level: 'silent' }), maxRetriesPerRequest: null });
    running = await startWorker(
      env.config({ REDIS_URL: redisUrl, MESSAGE_QUEUE_SHARDS: String(SHARDS), MESSAGE_SHARD_KEYS: 'shard', MESSAGE_QUEUE_DISCOVERY_INTERVAL_MS: '600000' }),
    );
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await Promise.all([...queues.values()].map((queue) => queue.close()));
    if (redis) await closeRedis(redis);
    await env?.cleanup();
    // Shards 1-2 of this count, and shard 4 of an earlier count of 5 (a leftover queue).
    if (!onCluster) for (const shard of [1, 2, 4]) await deleteRedisPrefix(shardPrefix(shard));
    await redisCluster?.stop();
  });

  /** Shard `shard`'s queue where a chat-socket pod with MESSAGE_SHARD_KEYS=shard writes it. */
  function queueOf(shard: number): Queue<PersistMessagesJob> {
    let queue = queues.get(shard);
    if (!queue) {
      queue = openQueue('messages', { connection: redis, installPrefix: prefix, shard, shardKeys: 'shard' });
      queues.set(shard, queue);
    }
    return queue;
  }

  /** A room (in PostgreSQL) whose messages go to `shard` of `shards`. */
  async function roomOfShard(shard: number, shards = SHARDS): Promise<string> {
    let roomId = randomUUID();
    while (messageShardOf(roomId, shards) !== shard) roomId = randomUUID();
    return createRoom(env.dataSource, [], roomId);
  }

  /**
   * What chat-socket's accept script writes for a batch of shard `shard`, in one script, under
   * the shard's prefix (one slot): the accepted hash (id → room sequence number), the ledger
   * entry and count, and the job naming the hash (the job's messages carry no numbers yet).
   */
  async function acceptInShard(shard: number, messages: Message[]): Promise<{ jobId: string; acceptedKey: string; ledgerPrefix: string }> {
    const ledgerPrefix = shardPrefix(shard);
    const acceptedKey = acceptedHashKey(ledgerPrefix, messages[0]!.id);
    const acceptedAt = Date.now();
    await redis
      .multi()
      .hset(acceptedKey, Object.fromEntries(messages.map((message, index) => [message.id, String(index + 1)])))
      .zadd(unpersistedBatchesKey(ledgerPrefix), 'NX', acceptedAt, acceptedKey)
      .incrby(unpersistedMessagesKey(ledgerPrefix), messages.length)
      .exec();
    const data: PersistMessagesJob = {
      messages: messages.map((message) => ({ ...message, seq: 0 })),
      acceptedAt: Object.fromEntries(messages.map((message) => [message.id, acceptedAt])),
      acceptedKey,
    };
    const job = await queueOf(shard).add('persist', data, jobOptionsFor('messages'));
    return { jobId: job.id!, acceptedKey, ledgerPrefix };
  }

  async function completed(shard: number, jobId: string): Promise<void> {
    const state = await waitFor(
      async () => {
        const current = await queueOf(shard).getJobState(jobId);
        return current === 'completed' || current === 'failed' ? current : undefined;
      },
      15_000,
      `job ${jobId} of shard ${shard} to finish`,
    );
    expect(state).toBe('completed');
  }

  /** Another batch still waiting on the install prefix's ledger (shard 0's): 7 messages in all. */
  const WAITING_ON_INSTALL = acceptedHashKey(prefix, 'a-batch-of-shard-0');
  async function keepWaitingOnInstall(): Promise<void> {
    await redis.zadd(unpersistedBatchesKey(prefix), Date.now(), WAITING_ON_INSTALL);
    await redis.set(unpersistedMessagesKey(prefix), 7);
  }

  async function ledgerOf(ledgerPrefix: string): Promise<{ batches: string[]; messages: string | null }> {
    return { batches: await redis.zrange(unpersistedBatchesKey(ledgerPrefix), 0, -1), messages: await redis.get(unpersistedMessagesKey(ledgerPrefix)) };
  }

  async function storedSeqs(roomId: string): Promise<Array<{ id: string; seq: string }>> {
    return env.dataSource.query('SELECT id::text, seq::text FROM chat.messages WHERE room_id = $1 ORDER BY seq', [roomId]);
  }

  it('stores a batch of shard 2 from the queue under {prefix:m2}, and clears that shard\'s ledger and accepted hash, not the install\'s', async () => {
    await keepWaitingOnInstall();
    const sender = randomUUID();
    const room = await roomOfShard(2);
    const messages = [makeMessage(room, sender), makeMessage(room, sender)];

    const batch = await acceptInShard(2, messages);
    expect(batch.ledgerPrefix).toBe(`${prefix.slice(0, -2)}:m2}:`);
    await completed(2, batch.jobId);

    expect(await storedSeqs(room)).toEqual([
      { id: messages[0]!.id, seq: '1' },
      { id: messages[1]!.id, seq: '2' },
    ]);
    expect(await redis.exists(batch.acceptedKey)).toBe(0);
    expect(await ledgerOf(batch.ledgerPrefix)).toEqual({ batches: [], messages: '0' });
    expect(await ledgerOf(prefix)).toEqual({ batches: [WAITING_ON_INSTALL], messages: '7' });
  });

  it('keeps shard 0 under the install prefix: its batch leaves the install\'s ledger, the shards\' ledgers stay as they are', async () => {
    await redis.zadd(unpersistedBatchesKey(shardPrefix(1)), Date.now(), acceptedHashKey(shardPrefix(1), 'a-batch-of-shard-1'));
    await redis.set(unpersistedMessagesKey(shardPrefix(1)), 3);
    await keepWaitingOnInstall();
    const sender = randomUUID();
    const room = await roomOfShard(0);
    const messages = [makeMessage(room, sender), makeMessage(room, sender), makeMessage(room, sender)];

    const batch = await acceptInShard(0, messages);
    expect(batch.ledgerPrefix).toBe(prefix);
    await completed(0, batch.jobId);

    expect((await storedSeqs(room)).map((row) => row.id)).toEqual(messages.map((message) => message.id));
    expect(await ledgerOf(prefix)).toEqual({ batches: [WAITING_ON_INSTALL], messages: '7' });
    expect(await ledgerOf(shardPrefix(1))).toEqual({ batches: [acceptedHashKey(shardPrefix(1), 'a-batch-of-shard-1')], messages: '3' });
  });

  it('drains a queue of an earlier shard count from under its shard\'s tag and clears that shard\'s ledger', async () => {
    const sender = randomUUID();
    const room = await roomOfShard(4, 5);
    const messages = [makeMessage(room, sender)];
    const batch = await acceptInShard(4, messages);
    // As a chat-socket pod on 5 shards registered it; the registry stays under the install prefix.
    await redis.sadd(messageQueuesKey(prefix), 'messages-4');

    await running.worker.messageShards.discover();
    expect(running.worker.messageShards.consumed()).toContain('messages-4');
    await completed(4, batch.jobId);

    expect((await storedSeqs(room)).map((row) => row.id)).toEqual([messages[0]!.id]);
    expect(await redis.exists(batch.acceptedKey)).toBe(0);
    expect(await ledgerOf(shardPrefix(4))).toEqual({ batches: [], messages: '0' });
  });

  it('gauges a shard\'s queue under its tag, and jobs:retry-failed -- --queue messages-1 finds its failed jobs there with MESSAGE_SHARD_KEYS=shard', async () => {
    // A job no producer would write (no messages): failed at once, kept in the failed set.
    const job = await queueOf(1).add('persist', { messages: [] } as unknown as PersistMessagesJob, { ...jobOptionsFor('messages'), attempts: 1 });
    await waitFor(async () => (await queueOf(1).getJobState(job.id!)) === 'failed', 15_000, 'the malformed job to fail');

    const metrics = await (await fetch(`${running.adminUrl}/metrics`)).text();
    expect(sampleValue(metrics, 'parley_queue_jobs', { queue: 'messages-1', state: 'failed' })).toBe(1);

    const command = async (env: Record<string, string>) => {
      const out: string[] = [];
      const code = await runRetryFailedCommand(['--queue', 'messages-1', '--list'], { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, ...env }, { out: (line) => out.push(line), err: (line) => out.push(line) });
      return { code, out: out.join('\n') };
    };
    const shardKeys = await command({ MESSAGE_SHARD_KEYS: 'shard' });
    expect(shardKeys.code).toBe(0);
    expect(shardKeys.out).toContain(job.id!);
    expect(shardKeys.out).toContain('1 failed job(s) in queue messages-1');
    // Under the install prefix there is no such queue: the setting must match the install's.
    expect((await command({})).out).toContain('0 failed job(s) in queue messages-1');
  });
});

describe('the worker\'s message-key layout against chat-socket\'s (msg-key-layout)', () => {
  const prefix = `{t-pwlayout-${randomBytes(4).toString('hex')}}:`;
  let redis: Redis;

  beforeAll(() => {
    redis = createRedis({ url: TEST_REDIS_URL, name: 'layout-check', logger: createLogger({ service: 'test', level: 'silent' }) });
  });

  afterAll(async () => {
    if (redis) await closeRedis(redis);
    await deleteRedisPrefix(prefix);
  });

  async function check(producers: string | undefined, keys: 'install' | 'shard', shards: number) {
    if (producers === undefined) await redis.del(messageKeyLayoutKey(prefix));
    else await redis.set(messageKeyLayoutKey(prefix), producers);
    const { logger, lines } = capturingLogger();
    const report = await checkMessageKeyLayout(redis, prefix, createMessageKeyLayout(prefix, shards, keys), logger);
    return { report, errors: lines().filter((line) => line.level === 50) };
  }

  it('says nothing when chat-socket places the shards\' keys as the worker does, when none has started yet, or when only the count differs with install keys (a rollout)', async () => {
    for (const [producers, keys, shards] of [
      ['shard:3', 'shard', 3],
      [undefined, 'shard', 3],
      ['install:4', 'install', 2],
      // One shard is the install prefix whatever MESSAGE_SHARD_KEYS says.
      ['shard:1', 'install', 3],
      ['install:4', 'shard', 1],
    ] as const) {
      const { report, errors } = await check(producers, keys, shards);
      expect(report, String(producers)).toMatchObject({ readable: true, matches: true });
      expect(errors, String(producers)).toEqual([]);
    }
  });

  it('logs an error naming both layouts when MESSAGE_SHARD_KEYS differs, or the count differs with shard keys', async () => {
    for (const [producers, keys, shards] of [
      ['shard:3', 'install', 3],
      ['install:3', 'shard', 3],
      ['shard:4', 'shard', 3],
    ] as const) {
      const { report, errors } = await check(producers, keys, shards);
      expect(report, producers).toEqual({ readable: true, producers, matches: false });
      expect(errors, producers).toHaveLength(1);
      expect(errors[0], producers).toMatchObject({ producers, worker: `${keys}:${shards}` });
    }
  });
});
