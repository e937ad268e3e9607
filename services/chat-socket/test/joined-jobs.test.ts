import { randomUUID } from 'node:crypto';
import { Worker, type Job, type Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { openMessageJobKey, unpersistedBatchesKey, unpersistedMessagesKey } from '@parley/keyspace';
import { openQueue, queueBullPrefix } from '@parley/queues';
import { startWorkerProcess, TEST_REDIS_URL, testServiceEnv, type ServiceProcess } from '@parley/testing';
import { emitWithAck, eventually, startChatCluster, type ChatCluster, type ChatInstance, type ClientSocket, type TestUser } from './support/chat-cluster.js';

/**
 * A send batch joins the persistence job still waiting in its queue instead of adding one of its
 * own (docs/decisions/0048-batches-join-the-waiting-job.md). Real chat-socket instances, Redis,
 * PostgreSQL and, in the last test, the real persistence worker: a batch never joins a job a
 * worker has taken, a job never grows past SEND_MERGE_MAX_MESSAGES, and every acknowledged
 * message is stored once with its number while a slow worker makes batches pile up.
 */
let cluster: ChatCluster;
let redis: Redis;
let queue: Queue;
let owner: TestUser;

const LIMITS = { SEND_BURST: '2000', SEND_RATE_PER_SECOND: '2000', SOCKET_EVENTS_PER_SECOND: '2000', SOCKET_EVENT_BURST: '2000' };

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_joined_jobs', instances: 0, env: LIMITS });
  redis = new Redis(TEST_REDIS_URL);
  queue = openQueue('messages', { connection: redis, installPrefix: cluster.redisPrefix });
  owner = await cluster.user('owner');
});

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await cluster?.close();
});

// Each test starts from an empty queue and ledger, with no open job to join.
beforeEach(async () => {
  await queue.obliterate({ force: true });
  await redis.del(openMessageJobKey(cluster.redisPrefix, queue.name), unpersistedBatchesKey(cluster.redisPrefix), unpersistedMessagesKey(cluster.redisPrefix));
});

const send = (socket: ClientSocket, roomId: string, body: string) => emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body });

/** An instance with a long batch window, and a socket on it. */
async function windowedSender(env: Record<string, string> = {}): Promise<{ instance: ChatInstance; socket: ClientSocket; roomId: string }> {
  const instance = await cluster.startInstance({ SEND_BATCH_MAX_WAIT_MS: '300', ...env });
  const socket = await cluster.connect(instance, owner);
  return { instance, socket, roomId: await groupRoom(instance, [], 'batched') };
}

/** A group room of `owner`, created through `instance` (the cluster's first may be stopped). */
async function groupRoom(instance: ChatInstance, members: TestUser[], name: string): Promise<string> {
  const created = await cluster.api(instance, 'POST', '/api/v1/rooms', { token: owner.token, body: { name, memberIds: members.map((member) => member.id) } });
  expect(created.status).toBe(201);
  return created.body.id;
}

/** Sends `count` messages at once: after a first send on a quiet pod they share the next batch. */
async function batch(socket: ClientSocket, roomId: string, count: number, tag: string): Promise<Message[]> {
  const acks = await Promise.all(Array.from({ length: count }, (_, index) => send(socket, roomId, `${tag} ${index}`)));
  for (const ack of acks) expect(ack.ok, JSON.stringify(ack)).toBe(true);
  return acks.map((ack) => ack.message as Message);
}

async function waitingJobs(): Promise<Job[]> {
  return (await queue.getJobs(['waiting', 'paused'], 0, -1)).sort((a, b) => Number(a.id) - Number(b.id));
}

const ids = (messages: Array<{ id: string }>) => messages.map((message) => message.id).sort();

describe('a send batch joins the persistence job still waiting in its queue', () => {
  it('puts batches sent while no worker takes jobs into one job: its data lists every message, its accepted hash every number, the ledger counts them once', async () => {
    const { instance, socket, roomId } = await windowedSender();
    const first = await batch(socket, roomId, 1, 'first');
    const second = await batch(socket, roomId, 3, 'second');
    const third = await batch(socket, roomId, 2, 'third');
    const metrics = await (await fetch(`${instance.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^parley_send_batches_total\{job="added"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^parley_send_batches_total\{job="joined"[^}]*\} 2$/m);
    // Three batches of 1, 3 and 2 sends. Four runs of the accept script: the room's first batch
    // finds no sequence counter, which is seeded from what is stored before the script runs again.
    expect(metrics).toMatch(/^parley_send_batch_messages_count(\{[^}]*\})? 3$/m);
    expect(metrics).toMatch(/^parley_send_batch_messages_sum(\{[^}]*\})? 6$/m);
    expect(metrics).toMatch(/^parley_send_batch_messages_bucket\{le="2"[^}]*\} 2$/m);
    expect(metrics).toMatch(/^parley_send_accept_seconds_count(\{[^}]*\})? 4$/m);
    await cluster.stopInstance(instance);

    const jobs = await waitingJobs();
    expect(jobs).toHaveLength(1);
    const all = [...first, ...second, ...third];
    expect(ids(jobs[0]!.data.messages)).toEqual(ids(all));
    expect(await redis.hgetall(jobs[0]!.data.acceptedKey)).toEqual(Object.fromEntries(all.map((message) => [message.id, String(message.seq)])));
    expect(all.map((message) => message.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await redis.zrange(unpersistedBatchesKey(cluster.redisPrefix), 0, -1)).toEqual([jobs[0]!.data.acceptedKey]);
    expect(await redis.get(unpersistedMessagesKey(cluster.redisPrefix))).toBe('6');
  });

  it('with SEND_MERGE_MAX_MESSAGES=0 gives every batch a job of its own', async () => {
    const { instance, socket, roomId } = await windowedSender({ SEND_MERGE_MAX_MESSAGES: '0' });
    const first = await batch(socket, roomId, 1, 'first');
    const second = await batch(socket, roomId, 3, 'second');
    await cluster.stopInstance(instance);
    expect((await waitingJobs()).map((job) => ids(job.data.messages))).toEqual([ids(first), ids(second)]);
  });

  it('never joins a job a worker has taken: the next batch gets a job of its own, and the taken job keeps the data and hash its worker read', async () => {
    const { instance, socket, roomId } = await windowedSender();
    const first = await batch(socket, roomId, 2, 'first');
    // A BullMQ worker takes the job (moveToActive: off the wait list, data read, in one script).
    const taker = new Worker(queue.name, null, { connection: new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }), prefix: queueBullPrefix('messages', { installPrefix: cluster.redisPrefix }) });
    try {
      const taken = await taker.getNextJob('joined-jobs-test');
      expect(taken).toBeDefined();
      expect(ids(taken!.data.messages)).toEqual(ids(first));

      const second = await batch(socket, roomId, 2, 'second');
      await cluster.stopInstance(instance);
      const [waiting] = await waitingJobs();
      expect(ids(waiting!.data.messages)).toEqual(ids(second));
      expect(waiting!.id).not.toBe(taken!.id);
      expect(ids((await queue.getJob(taken!.id!))!.data.messages)).toEqual(ids(first));
      expect(Object.keys(await redis.hgetall(taken!.data.acceptedKey)).sort()).toEqual(ids(first));
      expect(Object.keys(await redis.hgetall(waiting!.data.acceptedKey)).sort()).toEqual(ids(second));
    } finally {
      await taker.close(true);
    }
  });

  it('joins a job only while it holds no more than SEND_MERGE_MAX_MESSAGES accepted messages with the batch', async () => {
    const { instance, socket, roomId } = await windowedSender({ SEND_MERGE_MAX_MESSAGES: '3' });
    const first = await batch(socket, roomId, 1, 'first');
    const second = await batch(socket, roomId, 2, 'second');
    const third = await batch(socket, roomId, 2, 'third');
    await cluster.stopInstance(instance);
    expect((await waitingJobs()).map((job) => ids(job.data.messages))).toEqual([ids([...first, ...second]), ids(third)]);
  });

  it.each<{ worker: string; env: Record<string, string> }>([
    { worker: 'a slow worker holding one job at a time', env: { MESSAGES_CONCURRENCY: '1', PERSIST_TEST_DELAY_MS: '20' } },
    { worker: 'a worker taking one job per 100 ms (MESSAGES_JOB_INTERVAL_MS)', env: { MESSAGES_JOB_INTERVAL_MS: '100' } },
  ])('stores every acknowledged message once, with its number and in each sender\'s order, while $worker makes batches join waiting jobs', async ({ env }) => {
    const instances = [await cluster.startInstance({ SEND_BATCH_MAX_SIZE: '5' }), await cluster.startInstance({ SEND_BATCH_MAX_SIZE: '5' })];
    const senders = [await cluster.user('alice'), await cluster.user('bob')];
    const rooms: string[] = [];
    for (let index = 0; index < 20; index += 1) rooms.push(await groupRoom(instances[0]!, senders, `load ${index}`));
    let worker: ServiceProcess | undefined;
    try {
      worker = await startWorkerProcess({ ...testServiceEnv(cluster.database.url, cluster.redisPrefix), ...env });
      const sockets = await Promise.all(senders.map((sender, index) => cluster.connect(instances[index]!, sender)));
      const acked: Message[] = [];
      await Promise.all(
        rooms.flatMap((roomId) =>
          sockets.map(async (socket, index) => {
            for (let n = 0; n < 10; n += 1) {
              const ack = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: `load ${index}:${n}` }, 15_000);
              expect(ack.ok, JSON.stringify(ack)).toBe(true);
              acked.push(ack.message);
            }
          }),
        ),
      );
      expect(acked).toHaveLength(400);
      await eventually(async () => {
        const { rows } = await cluster.db.query('SELECT count(*)::int AS n FROM chat.messages WHERE room_id = ANY($1::uuid[])', [rooms]);
        expect(rows[0].n).toBe(acked.length);
      }, 60_000, 200);
      const { rows } = await cluster.db.query<{ id: string; room_id: string; sender_id: string; seq: string; body: string }>(
        'SELECT id, room_id, sender_id, seq, body FROM chat.messages WHERE room_id = ANY($1::uuid[]) ORDER BY room_id, seq',
        [rooms],
      );
      const stored = new Map(rows.map((row) => [row.id, row]));
      for (const message of acked) expect(Number(stored.get(message.id)?.seq), message.body).toBe(message.seq);
      for (const roomId of rooms) {
        const room = rows.filter((row) => row.room_id === roomId);
        expect(room.map((row) => Number(row.seq))).toEqual(room.map((_, index) => index + 1));
        for (const [index, sender] of senders.entries()) {
          expect(room.filter((row) => row.sender_id === sender.id).map((row) => row.body)).toEqual(Array.from({ length: 10 }, (_, n) => `load ${index}:${n}`));
        }
      }
      // Batches of at most 5 joined jobs: some job held more than one batch.
      const completed = await queue.getJobs(['completed'], 0, -1);
      expect(Math.max(...completed.map((job) => job.data.messages.length))).toBeGreaterThan(5);
      await eventually(async () => {
        expect(Number((await redis.get(unpersistedMessagesKey(cluster.redisPrefix))) ?? 0)).toBe(0);
        expect(await redis.zcard(unpersistedBatchesKey(cluster.redisPrefix))).toBe(0);
      }, 10_000, 100);
    } finally {
      await worker?.stop();
      for (const instance of instances) await cluster.stopInstance(instance);
    }
  }, 120_000);
});
