import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { bullPrefix, messageKeyLayoutKey, messageQueuesKey, messageShardKeyPrefix, roomSequenceKey, unpersistedBatchesKey, unpersistedMessagesKey, type MessageShardKeys } from '@parley/keyspace';
import { createLogger } from '@parley/logger';
import { messageQueueNames, messageShardOf, openQueue } from '@parley/queues';
import { Cluster, closeRedis, createRedis, type Redis } from '@parley/redis';
import { startRedisCluster, startServiceProcess, TEST_REDIS_URL, testServiceEnv, type ServiceProcess } from '@parley/testing';
import { resetMessageKeyLayout } from '../src/admin/reset-key-layout.js';
import { emitWithAck, eventually, startChatCluster, type ChatCluster, type ChatInstance, type TestUser } from './support/chat-cluster.js';

/**
 * The `messages` queue split by room (docs/decisions/0041-sharded-message-queues.md): two
 * chat-socket instances produce, the real persistence worker (a child process) consumes; real
 * PostgreSQL and Redis (and a private Redis Cluster). Every acknowledged message is stored with
 * the sequence number it was acknowledged with, each room's numbers run 1..n, and a reshard with
 * jobs queued loses none.
 */
const SERVICES = fileURLToPath(new URL('../../', import.meta.url));
const WORKER_MAIN = join(SERVICES, 'persistence-worker', 'dist', 'main.js');
const ROOMS = 50;
const LIMITS = { SEND_BURST: '2000', SEND_RATE_PER_SECOND: '2000', SOCKET_EVENTS_PER_SECOND: '2000', SOCKET_EVENT_BURST: '2000' };

interface Setup {
  cluster: ChatCluster;
  /** The Redis the services use and its key prefix (the test Redis, or a private Redis Cluster). */
  redisUrl: string;
  prefix: string;
  /** MESSAGE_SHARD_KEYS of the instances. */
  shardKeys: MessageShardKeys;
  db: pg.Pool;
  redis: Redis;
  owner: TestUser;
  senders: TestUser[];
  rooms: string[];
}

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!().catch(() => undefined);
});
afterAll(async () => {
  while (open.length > 0) await open.pop()!().catch(() => undefined);
});

async function setUp(label: string, shards: number, redisTarget?: { url: string; prefix: string }, shardKeys: MessageShardKeys = 'install'): Promise<Setup & { instances: ChatInstance[] }> {
  const cluster = await startChatCluster({ label, instances: 0, env: { ...LIMITS, ...(redisTarget ? { REDIS_URL: redisTarget.url, REDIS_KEY_PREFIX: redisTarget.prefix } : {}) } });
  open.push(() => cluster.close());
  const redisUrl = redisTarget?.url ?? TEST_REDIS_URL;
  const prefix = redisTarget?.prefix ?? cluster.redisPrefix;
  const instanceEnv = { MESSAGE_QUEUE_SHARDS: String(shards), MESSAGE_SHARD_KEYS: shardKeys };
  const instances = [await cluster.startInstance(instanceEnv), await cluster.startInstance(instanceEnv)];
  const db = new pg.Pool({ connectionString: cluster.database.url, max: 2 });
  open.push(() => db.end());
  const redis = createRedis({ url: redisUrl, name: 'shards-test', logger: createLogger({ service: 'test', level: 'silent' }), maxRetriesPerRequest: null });
  open.push(() => closeRedis(redis));
  const owner = await cluster.user('owner');
  const senders = [await cluster.user('alice'), await cluster.user('bob')];
  const rooms: string[] = [];
  for (let index = 0; index < ROOMS; index += 1) {
    const created = await cluster.api(instances[0]!, 'POST', '/api/v1/rooms', { token: owner.token, body: { name: `room ${index}`, memberIds: senders.map((sender) => sender.id) } });
    expect(created.status).toBe(201);
    rooms.push(created.body.id);
  }
  return { cluster, redisUrl, prefix, shardKeys, db, redis, owner, senders, rooms, instances };
}

async function startWorker(setup: Setup, env: Record<string, string>): Promise<ServiceProcess> {
  if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: build with \`npm run build\``);
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-shards-'));
  const worker = await startServiceProcess('persistence-worker', WORKER_MAIN, {
    ...testServiceEnv(setup.cluster.database.url, setup.prefix),
    REDIS_URL: setup.redisUrl,
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: '5000',
    DATA_DIR: dataDir,
    ...env,
  });
  open.push(async () => {
    await worker.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return worker;
}

/**
 * `perSender` messages from each sender to every room, sender i through instance i: per room the
 * two senders' sends interleave, each sender's in order (the next after the previous ack).
 */
async function sendRound(setup: Setup, instances: ChatInstance[], perSender: number, tag: string): Promise<Message[]> {
  const sockets = await Promise.all(setup.senders.map((sender, index) => setup.cluster.connect(instances[index]!, sender)));
  const acked: Message[] = [];
  await Promise.all(
    setup.rooms.flatMap((roomId) =>
      sockets.map(async (socket, index) => {
        for (let n = 0; n < perSender; n += 1) {
          const ack = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: `${tag} ${index}:${n}` }, 15_000);
          expect(ack.ok, JSON.stringify(ack)).toBe(true);
          acked.push(ack.message);
        }
      }),
    ),
  );
  for (const socket of sockets) socket.disconnect();
  return acked;
}

/** Waits until every acknowledged message is stored, then checks each one's number and each room's order. */
async function expectAllStored(setup: Setup, acked: Message[]): Promise<void> {
  await eventually(async () => {
    const { rows } = await setup.db.query('SELECT count(*)::int AS n FROM chat.messages');
    expect(rows[0].n).toBe(acked.length);
  }, 60_000, 200);
  const { rows } = await setup.db.query<{ id: string; room_id: string; sender_id: string; seq: string; body: string }>(
    'SELECT id, room_id, sender_id, seq, body FROM chat.messages ORDER BY room_id, seq',
  );
  const stored = new Map(rows.map((row) => [row.id, row]));
  for (const message of acked) {
    expect(stored.get(message.id), message.body).toMatchObject({ room_id: message.roomId, sender_id: message.senderId, body: message.body });
    expect(Number(stored.get(message.id)!.seq), message.body).toBe(message.seq);
  }
  for (const roomId of setup.rooms) {
    const room = rows.filter((row) => row.room_id === roomId);
    // Every number once, no gap: 1..n.
    expect(room.map((row) => Number(row.seq))).toEqual(room.map((_, index) => index + 1));
    // Each sender's messages in the order they were sent (`<tag> <sender>:<n>`, rounds in order).
    for (const sender of setup.senders) {
      const bodies = room.filter((row) => row.sender_id === sender.id).map((row) => row.body);
      const sentOrder = acked.filter((message) => message.roomId === roomId && message.senderId === sender.id).map((message) => message.body);
      expect(bodies).toEqual(sentOrder);
    }
  }
}

/** What the completed jobs of each queue carried: message rooms by BullMQ queue name. */
async function roomsByQueue(setup: Setup, shards: number): Promise<Map<string, string[]>> {
  const byQueue = new Map<string, string[]>();
  for (let shard = 0; shard < shards; shard += 1) {
    const queue = openQueue('messages', { connection: setup.redis, installPrefix: setup.prefix, shard, shardKeys: setup.shardKeys });
    const jobs = await queue.getJobs(['completed'], 0, -1);
    byQueue.set(queue.name, jobs.flatMap((job) => job.data.messages.map((message) => message.roomId)));
    await queue.close();
  }
  return byQueue;
}

/** Four shards: all stored, in order, every shard used and only for its own rooms. */
async function fourShards(setup: Setup & { instances: ChatInstance[] }): Promise<void> {
  await startWorker(setup, { MESSAGE_QUEUE_SHARDS: '4', MESSAGE_SHARD_KEYS: setup.shardKeys });
  const acked = await sendRound(setup, setup.instances, 4, 'sharded');
  expect(acked).toHaveLength(ROOMS * 2 * 4);

  await expectAllStored(setup, acked);
  const byQueue = await roomsByQueue(setup, 4);
  expect([...byQueue.keys()]).toEqual(messageQueueNames(4));
  for (const [queue, rooms] of byQueue) {
    // Every shard got work, and only rooms of its own.
    expect(rooms.length, queue).toBeGreaterThan(0);
    for (const roomId of rooms) expect(messageQueueNames(4)[messageShardOf(roomId, 4)], roomId).toBe(queue);
  }
  expect((await setup.redis.smembers(messageQueuesKey(setup.prefix))).sort()).toEqual(messageQueueNames(4).sort());
  // The ledger of acknowledged-but-unpersisted messages (one entry per part) is cleared as well.
  await eventually(async () => {
    for (let shard = 0; shard < 4; shard += 1) {
      const prefix = messageShardKeyPrefix(setup.prefix, shard, setup.shardKeys);
      expect(Number((await setup.redis.get(unpersistedMessagesKey(prefix))) ?? 0)).toBe(0);
      expect(await setup.redis.zcard(unpersistedBatchesKey(prefix))).toBe(0);
    }
  }, 10_000, 100);
}

/** The primary ("host:port") serving a key's slot on a Redis Cluster. */
async function primaryServing(redis: Redis, key: string): Promise<string> {
  if (!(redis instanceof Cluster)) throw new Error('not a cluster');
  const slot = Number(await redis.cluster('KEYSLOT', key));
  await redis.refreshSlotsCache?.();
  return redis.slots[slot]![0]!;
}

describe('a messages queue in 4 shards', () => {
  it('stores every message of 50 rooms sent through two producers, each room in one shard, with its numbers in order', async () => {
    await fourShards(await setUp('chat_shards', 4));
  }, 180_000);

  it('does the same on a Redis Cluster (every shard under the install prefix\'s hash tag)', async () => {
    const redisCluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 0 });
    open.push(() => redisCluster.stop());
    const prefix = `{t-shards-${randomUUID().slice(0, 6)}}:`;
    await fourShards(await setUp('chat_shards_cluster', 4, { url: redisCluster.url, prefix }));
  }, 240_000);
});

describe('a hash tag per message shard (MESSAGE_SHARD_KEYS=shard) on a Redis Cluster', () => {
  it('spreads the shards\' queues, ledgers and room keys over the primaries and still stores every message with its number, in order', async () => {
    const redisCluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 0 });
    open.push(() => redisCluster.stop());
    const prefix = `{t-shardkeys-${randomUUID().slice(0, 6)}}:`;
    const setup = await setUp('chat_shard_keys', 4, { url: redisCluster.url, prefix }, 'shard');
    await fourShards(setup);

    // Four shards, four slots: with three primaries at least two of them serve a shard.
    const prefixes = [0, 1, 2, 3].map((shard) => messageShardKeyPrefix(prefix, shard, 'shard'));
    const queueKeys = prefixes.map((shardPrefix, shard) => `${bullPrefix(shardPrefix)}:${messageQueueNames(4)[shard]}:id`);
    const slots = await Promise.all(queueKeys.map(async (key) => Number(await setup.redis.cluster('KEYSLOT', key))));
    expect(new Set(slots).size).toBe(4);
    const servers = await Promise.all(queueKeys.map((key) => primaryServing(setup.redis, key)));
    expect(new Set(servers).size).toBeGreaterThanOrEqual(2);
    // Each shard's queue really lives there: its job id counter counted its jobs.
    for (const key of queueKeys) expect(Number(await setup.redis.get(key)), key).toBeGreaterThan(0);

    // A room's counter lives under its shard's tag (and nowhere else), at the room's last number.
    for (const roomId of setup.rooms.slice(0, 8)) {
      const shard = messageShardOf(roomId, 4);
      expect(await setup.redis.get(roomSequenceKey(prefixes[shard]!, roomId)), roomId).toBe(String(2 * 4));
      if (shard !== 0) expect(await setup.redis.exists(roomSequenceKey(prefix, roomId)), roomId).toBe(0);
    }
    expect(await setup.redis.get(messageKeyLayoutKey(prefix))).toBe('shard:4');

    // A resent message is answered with the first one (its idempotency key is in its shard too).
    const roomId = setup.rooms.find((room) => messageShardOf(room, 4) !== 0)!;
    const socket = await setup.cluster.connect(setup.instances[1]!, setup.senders[0]!);
    const send = { roomId, clientMsgId: randomUUID(), body: 'once' };
    const first = await emitWithAck(socket, 'message:send', send);
    const again = await emitWithAck(socket, 'message:send', send);
    expect(first).toMatchObject({ ok: true, message: { seq: 9 } });
    expect(again).toMatchObject({ ok: true, message: { id: first.message.id, seq: 9 } });
    socket.disconnect();
  }, 240_000);

  it('refuses to start a pod of another shard layout, and after the reset (pods stopped, backlog stored) numbers every room on from where it was', async () => {
    const redisCluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 0 });
    open.push(() => redisCluster.stop());
    const prefix = `{t-relayout-${randomUUID().slice(0, 6)}}:`;
    const setup = await setUp('chat_shard_relayout', 4, { url: redisCluster.url, prefix }, 'shard');
    await startWorker(setup, { MESSAGE_QUEUE_SHARDS: '4', MESSAGE_SHARD_KEYS: 'shard' });
    const before = await sendRound(setup, setup.instances, 2, 'four');
    await expectAllStored(setup, before);

    // Another count (or back to `install`) while the shard:4 pods run: refused, nothing changed.
    await expect(setup.cluster.startInstance({ MESSAGE_QUEUE_SHARDS: '2', MESSAGE_SHARD_KEYS: 'shard' })).rejects.toThrow(/laid out as shard:4/);
    await expect(setup.cluster.startInstance({ MESSAGE_QUEUE_SHARDS: '4', MESSAGE_SHARD_KEYS: 'install' })).rejects.toThrow(/laid out as shard:4/);
    // The same layout is welcome, and the reset refuses while any pod holds a worker-id lease.
    const third = await setup.cluster.startInstance({ MESSAGE_QUEUE_SHARDS: '4', MESSAGE_SHARD_KEYS: 'shard' });
    expect(await resetMessageKeyLayout(setup.redis, prefix)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/worker-id lease/) });
    for (const instance of [...setup.instances, third]) await setup.cluster.stopInstance(instance);

    expect(await resetMessageKeyLayout(setup.redis, prefix)).toMatchObject({ kind: 'reset', layout: 'shard:4' });
    const two = [
      await setup.cluster.startInstance({ MESSAGE_QUEUE_SHARDS: '2', MESSAGE_SHARD_KEYS: 'shard' }),
      await setup.cluster.startInstance({ MESSAGE_QUEUE_SHARDS: '2', MESSAGE_SHARD_KEYS: 'shard' }),
    ];
    await startWorker(setup, { MESSAGE_QUEUE_SHARDS: '2', MESSAGE_SHARD_KEYS: 'shard' });
    const after = await sendRound(setup, two, 2, 'two');
    // Every room goes on from 4 (seeded again from PostgreSQL): 1..8, no number twice.
    await expectAllStored(setup, [...before, ...after]);
    expect(await setup.redis.get(messageKeyLayoutKey(prefix))).toBe('shard:2');
  }, 300_000);
});

describe('the send rate with MESSAGE_SHARD_KEYS=shard', () => {
  it('holds one limit per sender across shards, not one per shard: a burst over rooms of every shard is cut at SEND_BURST', async () => {
    const setup = await setUp('chat_shard_rate', 4, undefined, 'shard');
    const limited = await setup.cluster.startInstance({ MESSAGE_QUEUE_SHARDS: '4', MESSAGE_SHARD_KEYS: 'shard', SEND_BURST: '5', SEND_RATE_PER_SECOND: '1' });
    const rooms = setup.rooms.slice(0, 24);
    expect(new Set(rooms.map((roomId) => messageShardOf(roomId, 4))).size).toBe(4);
    const socket = await setup.cluster.connect(limited, setup.senders[0]!);
    const acks = await Promise.all(rooms.map((roomId) => emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'burst' })));
    const accepted = acks.filter((ack) => ack.ok);
    // 5 tokens, and at most one more refilled while the burst went out; per shard it would be up to 20.
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(accepted.length).toBeLessThanOrEqual(6);
    for (const ack of acks.filter((answer) => !answer.ok)) expect(ack).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // A refused send took no number: each accepted one is its room's first.
    for (const ack of accepted) expect(ack.message.seq).toBe(1);
    socket.disconnect();
  }, 120_000);
});

describe('changing the shard count with jobs queued', () => {
  it('loses nothing from 1 to 4 shards, nor from 4 back to 2: workers drain the queues of the earlier count', async () => {
    const setup = await setUp('chat_reshard', 1);
    // No worker yet: every job stays queued.
    const one = await sendRound(setup, setup.instances, 2, 'one');
    for (const instance of setup.instances) await setup.cluster.stopInstance(instance);

    const fourInstances = [await setup.cluster.startInstance({ MESSAGE_QUEUE_SHARDS: '4' }), await setup.cluster.startInstance({ MESSAGE_QUEUE_SHARDS: '4' })];
    const four = await sendRound(setup, fourInstances, 2, 'four');
    for (const instance of fourInstances) await setup.cluster.stopInstance(instance);

    const twoInstances = [await setup.cluster.startInstance({ MESSAGE_QUEUE_SHARDS: '2' }), await setup.cluster.startInstance({ MESSAGE_QUEUE_SHARDS: '2' })];
    const two = await sendRound(setup, twoInstances, 2, 'two');

    // Jobs wait in messages (the 1-shard queue and shard 0 alike) and messages-1 to -3.
    const waiting = async (shard: number) => {
      const queue = openQueue('messages', { connection: setup.redis, installPrefix: setup.prefix, shard });
      const counts = await queue.getJobCounts('waiting');
      await queue.close();
      return counts.waiting ?? 0;
    };
    for (const shard of [0, 1, 2, 3]) expect(await waiting(shard), `shard ${shard}`).toBeGreaterThan(0);

    // Workers on 2 shards: each consumes one, both drain the leftovers of the 4-shard count.
    const workers = [
      await startWorker(setup, { MESSAGE_QUEUE_SHARDS: '2', WORKER_QUEUE_SHARDS: '0', MESSAGE_QUEUE_DISCOVERY_INTERVAL_MS: '200' }),
      await startWorker(setup, { MESSAGE_QUEUE_SHARDS: '2', WORKER_QUEUE_SHARDS: '1', MESSAGE_QUEUE_DISCOVERY_INTERVAL_MS: '200' }),
    ];
    await expectAllStored(setup, [...one, ...four, ...two]);
    for (const shard of [0, 1, 2, 3]) expect(await waiting(shard), `shard ${shard}`).toBe(0);
    const drained = (worker: ServiceProcess) =>
      worker
        .output()
        .split('\n')
        .filter((line) => line.includes('draining a message queue of another shard count'))
        .map((line) => (JSON.parse(line) as { queue: string }).queue);
    // The first worker found both leftovers full; the second may have found them empty already.
    expect(drained(workers[0]!).sort()).toEqual(['messages-2', 'messages-3']);
    expect(new Set(drained(workers[1]!)).size).toBeLessThanOrEqual(2);
  }, 240_000);
});

describe('a batch over several shards', () => {
  it('refuses only the part whose job cannot be written: the other shards\' messages are acknowledged, the refused take no number and go through on retry', async () => {
    const setup = await setUp('chat_shard_parts', 4);
    const broken = 2;
    // BullMQ's job id counter of shard 2 holds a string: its addStandardJob fails inside the accept script.
    const idKey = `${bullPrefix(setup.prefix)}:${messageQueueNames(4)[broken]}:id`;
    await setup.redis.set(idKey, 'not-a-number');
    const rooms = setup.rooms.slice(0, 16);
    expect(rooms.some((roomId) => messageShardOf(roomId, 4) === broken)).toBe(true);
    expect(rooms.some((roomId) => messageShardOf(roomId, 4) !== broken)).toBe(true);

    const socket = await setup.cluster.connect(setup.instances[0]!, setup.senders[0]!);
    const sends = rooms.map((roomId) => ({ roomId, clientMsgId: randomUUID() }));
    // Sent together: a shard's batch holds what arrived within its window.
    const acks = await Promise.all(sends.map((send) => emitWithAck(socket, 'message:send', { ...send, body: 'part' })));
    sends.forEach((send, index) => {
      if (messageShardOf(send.roomId, 4) === broken) expect(acks[index], send.roomId).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      else expect(acks[index], send.roomId).toMatchObject({ ok: true, message: { roomId: send.roomId, seq: 1 } });
    });

    await setup.redis.del(idKey);
    const retried = await Promise.all(
      sends.filter((send) => messageShardOf(send.roomId, 4) === broken).map((send) => emitWithAck(socket, 'message:send', { ...send, body: 'part' })),
    );
    // Nothing of the refused part was taken: no idempotency key (a new message, not a dup), and number 1 is still free.
    for (const ack of retried) expect(ack).toMatchObject({ ok: true, message: { seq: 1 } });
    const queue = openQueue('messages', { connection: setup.redis, installPrefix: setup.prefix, shard: broken });
    const jobs = await queue.getJobs(['waiting']);
    await queue.close();
    expect(jobs.flatMap((job) => job.data.messages.map((message) => message.roomId)).sort()).toEqual(
      sends.filter((send) => messageShardOf(send.roomId, 4) === broken).map((send) => send.roomId).sort(),
    );
    socket.disconnect();
  }, 120_000);
});
