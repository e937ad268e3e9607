import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { redisReady, subscribeWhenReady } from '@parley/redis';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationRelaySchema, type NotificationEvent } from '@parley/contracts';
import { notificationsChannel, presenceKey, socketIoAdapterChannelPrefix } from '@parley/keyspace';
import { jobOptionsFor } from '@parley/queues';
import { TEST_REDIS_URL } from '@parley/testing';
import { createRoom, createWorkerTestEnv, makeMessage, startWorker, TestProducer, waitFor, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

let env: WorkerTestEnv;
let producer: TestProducer;
let running: RunningWorker;
let redis: Redis;

beforeAll(async () => {
  env = await createWorkerTestEnv('pw_notify');
  producer = new TestProducer(env.prefix);
  redis = new Redis(TEST_REDIS_URL);
  running = await startWorker(env.config());
});

afterAll(async () => {
  await running?.stop();
  await producer?.close();
  redis?.disconnect();
  await env?.cleanup();
});

interface NotificationRow {
  user_id: string;
  kind: string;
  room_id: string | null;
  from_user_id: string | null;
  last_message_id: string | null;
  message_count: number;
  friend_request_id: string | null;
}

const notificationsOf = (userIds: string[]): Promise<NotificationRow[]> =>
  env.dataSource.query(
    `SELECT user_id, kind, room_id, from_user_id, last_message_id, message_count, friend_request_id
       FROM chat.notifications WHERE user_id = ANY($1::uuid[]) ORDER BY user_id`,
    [userIds],
  );

const NOTIFICATION_OPTIONS = jobOptionsFor('notifications');
/** The stand-in chat-socket's room of one user's sockets (its own name: only it joins and emits). */
const userRoom = (userId: string) => `user:${userId}`;
/** chat-socket's presence: a socket lease in the user's sorted set, scored by its expiry. */
const setLease = (userId: string, expiresAt: number) => redis.zadd(presenceKey(env.prefix, userId), expiresAt, `socket-${randomUUID()}`);

async function drained(): Promise<void> {
  await waitFor(async () => {
    const [messages, notifications] = await Promise.all([
      producer.messages.getJobCounts('waiting', 'active', 'delayed'),
      producer.notifications.getJobCounts('waiting', 'active', 'delayed'),
    ]);
    return [...Object.values(messages), ...Object.values(notifications)].every((count) => count === 0);
  }, 15_000, 'queues to drain');
}

describe('message notifications', () => {
  const sender = randomUUID();
  const online = randomUUID();
  const leaseExpired = randomUUID();
  const offline = randomUUID();
  let room: string;

  beforeAll(async () => {
    room = await createRoom(env.dataSource, [sender, online, leaseExpired, offline]);
    await setLease(sender, Date.now() + 60_000);
    await setLease(online, Date.now() + 60_000);
    // A socket of a pod that died: its lease lapsed, so the user counts as offline.
    await setLease(leaseExpired, Date.now() - 1_000);
  });

  it('records one digest row per offline member, counting each message, and none for online members or the sender', async () => {
    const batch = [makeMessage(room, sender), makeMessage(room, sender), makeMessage(room, sender)];
    await producer.enqueueBatch(batch.slice(0, 2));
    await producer.enqueueBatch(batch.slice(2));

    const rows = await waitFor(async () => {
      const found = await notificationsOf([sender, online, leaseExpired, offline]);
      return found.length === 2 && found.every((row) => row.message_count === 3) ? found : undefined;
    }, 15_000, 'two rows with three messages each');

    expect(rows.map((row) => row.user_id).sort()).toEqual([leaseExpired, offline].sort());
    for (const row of rows) {
      expect(row).toMatchObject({ kind: 'message', room_id: room, from_user_id: sender, last_message_id: batch[2]!.id, message_count: 3 });
    }
  });

  it('does not count a message twice when its batch is processed again', async () => {
    const message = makeMessage(room, sender);
    await producer.enqueueBatch([message]);
    await waitFor(async () => (await notificationsOf([offline]))[0]?.message_count === 4, 15_000, 'the fourth message to count');

    await producer.enqueueBatch([message]);
    await drained();

    expect((await notificationsOf([offline]))[0]).toMatchObject({ message_count: 4, last_message_id: message.id });
  });

  it('opens a new digest once the previous one has been seen', async () => {
    await env.dataSource.query('UPDATE chat.notifications SET seen_at = now() WHERE user_id = $1', [offline]);
    const message = makeMessage(room, sender);

    await producer.enqueueBatch([message]);

    const open = await waitFor(async () => {
      const rows: NotificationRow[] = await env.dataSource.query(
        'SELECT * FROM chat.notifications WHERE user_id = $1 AND seen_at IS NULL',
        [offline],
      );
      return rows[0];
    }, 15_000, 'a new open row');
    expect(open).toMatchObject({ message_count: 1, last_message_id: message.id });
  });
});

describe('friend request notifications', () => {
  it('records one row per friend request, however often its job runs', async () => {
    const request = { kind: 'friend_request' as const, requestId: randomUUID(), fromUserId: randomUUID(), toUserId: randomUUID() };

    await producer.notifications.add('friend_request', request, NOTIFICATION_OPTIONS);
    await producer.notifications.add('friend_request', request, NOTIFICATION_OPTIONS);
    await drained();

    expect(await notificationsOf([request.toUserId])).toEqual([
      expect.objectContaining({ kind: 'friend_request', from_user_id: request.fromUserId, friend_request_id: request.requestId, room_id: null }),
    ]);
  });

  it('records the acceptance for the sender of the request, once, beside the recipient’s row of the same request', async () => {
    const request = { requestId: randomUUID(), fromUserId: randomUUID(), toUserId: randomUUID() };
    await producer.notifications.add('friend_request', { kind: 'friend_request', ...request }, NOTIFICATION_OPTIONS);
    const accepted = { kind: 'friend_accepted' as const, requestId: request.requestId, fromUserId: request.toUserId, toUserId: request.fromUserId };
    await producer.notifications.add('friend_accepted', accepted, NOTIFICATION_OPTIONS);
    await producer.notifications.add('friend_accepted', accepted, NOTIFICATION_OPTIONS);
    await drained();

    expect(await notificationsOf([request.fromUserId])).toEqual([
      expect.objectContaining({ kind: 'friend_accepted', from_user_id: request.toUserId, friend_request_id: request.requestId }),
    ]);
    expect(await notificationsOf([request.toUserId])).toEqual([expect.objectContaining({ kind: 'friend_request' })]);
  });

  it('rejects a malformed notification job without retrying it', async () => {
    const job = await producer.notifications.add('friend_request', { kind: 'friend_request', requestId: 'x' } as never, NOTIFICATION_OPTIONS);

    const failed = await waitFor(async () => ((await job.getState()) === 'failed' ? producer.notifications.getJob(job.id!) : undefined), 15_000, 'failure');

    expect(failed!.attemptsMade).toBe(1);
    expect(failed!.failedReason).toMatch(/invalid notification job/);
  });
});

describe('live notification events', () => {
  /**
   * A socket.io server as chat-socket runs it: the sharded Redis adapter, and the relay of the
   * notification channel to local sockets in `user:<id>`. (@socket.io/redis-emitter cannot
   * reach servers on the sharded adapter, hence the channel.)
   */
  let http: HttpServer;
  let io: Server;
  let pub: Redis;
  let sub: Redis;
  let relay: Redis;
  let client: ClientSocket;
  const user = randomUUID();

  beforeAll(async () => {
    pub = new Redis(TEST_REDIS_URL);
    sub = new Redis(TEST_REDIS_URL);
    relay = new Redis(TEST_REDIS_URL);
    await Promise.all([pub, sub].map(redisReady));
    http = createServer();
    io = new Server(http, { adapter: createShardedAdapter(pub, sub, { channelPrefix: socketIoAdapterChannelPrefix(env.prefix) }) });
    io.on('connection', (socket) => {
      void socket.join(userRoom(String(socket.handshake.auth.userId)));
    });
    await subscribeWhenReady(relay, notificationsChannel(env.prefix));
    relay.on('message', (_channel: string, raw: string) => {
      const parsed = notificationRelaySchema.safeParse(JSON.parse(raw));
      if (parsed.success) io.local.to(userRoom(parsed.data.userId)).emit('notification', parsed.data.notification);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    client = connectClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], auth: { userId: user } });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
  });

  afterAll(async () => {
    client?.close();
    await io?.close();
    relay?.disconnect();
    pub?.disconnect();
    sub?.disconnect();
  });

  it('delivers a friend request notification to the recipient’s connected socket', async () => {
    const fromUserId = randomUUID();
    const received = new Promise<NotificationEvent>((resolve) => client.once('notification', resolve));

    await producer.notifications.add('friend_request', { kind: 'friend_request', requestId: randomUUID(), fromUserId, toUserId: user }, NOTIFICATION_OPTIONS);

    const event = await received;
    expect(event).toMatchObject({ kind: 'friend_request', fromUserId });
    expect(Number.isNaN(Date.parse(event.createdAt))).toBe(false);
  });

  it('tells the sender of a friend request, connected, that it was accepted', async () => {
    const accepter = randomUUID();
    const received = new Promise<NotificationEvent>((resolve) => client.once('notification', resolve));

    await producer.notifications.add('friend_accepted', { kind: 'friend_accepted', requestId: randomUUID(), fromUserId: accepter, toUserId: user }, NOTIFICATION_OPTIONS);

    expect(await received).toMatchObject({ kind: 'friend_accepted', fromUserId: accepter });
  });

  it('delivers a message notification to a member who was offline when the batch was persisted and has reconnected', async () => {
    const sender = randomUUID();
    const room = await createRoom(env.dataSource, [sender, user]);
    const message = makeMessage(room, sender);
    const received = new Promise<NotificationEvent>((resolve) => client.once('notification', resolve));

    await producer.enqueueBatch([message]);

    expect(await received).toMatchObject({ kind: 'message', roomId: room, fromUserId: sender, messageId: message.id });
  });
});
