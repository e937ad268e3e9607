import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { openQueue, QUEUE_POLICIES } from '@parley/queues';
import { TEST_REDIS_URL } from '@parley/testing';
import { idempotencyKey, openMessageJobKey, recentWindowKey, roomSequenceKey } from '@parley/keyspace';
import { collect, emitWithAck, eventually, nextEvent, pause, startChatCluster, type ChatCluster, type ClientSocket, type TestUser } from './support/chat-cluster.js';

let cluster: ChatCluster;
let redis: Redis;
let queue: Queue;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_messaging', env: { SEND_BURST: '200', SEND_RATE_PER_SECOND: '200' } });
  redis = new Redis(TEST_REDIS_URL);
  queue = openQueue('messages', { connection: redis, installPrefix: cluster.redisPrefix });
});

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await cluster?.close();
});

async function groupRoom(owner: TestUser, members: TestUser[], name = 'team'): Promise<string> {
  const created = await cluster.api(0, 'POST', '/api/v1/rooms', { token: owner.token, body: { name, memberIds: members.map((m) => m.id) } });
  expect(created.status).toBe(201);
  return created.body.id;
}

const send = (socket: ClientSocket, roomId: string, body: string, clientMsgId = randomUUID()) =>
  emitWithAck(socket, 'message:send', { roomId, clientMsgId, body });

/**
 * A send in a room of its own, so that the pod's batch window has just started: a send on a
 * quiet pod starts a batch at once, and what follows within the window waits for the next one
 * (docs/decisions/0022-send-batch-window.md).
 */
async function startBatchWindow(socket: ClientSocket, owner: TestUser): Promise<void> {
  const ack = await send(socket, await groupRoom(owner, [], 'window'), 'starts the window');
  expect(ack.ok).toBe(true);
}

describe('message delivery across two chat-socket instances', () => {
  it('delivers a direct message to every socket of both members on both instances, and acks the sender with the message', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const direct = await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: alice.token, body: { userId: bob.id } });
    expect(direct.status).toBe(201);
    const sockets = [
      await cluster.connect(0, alice),
      await cluster.connect(1, alice),
      await cluster.connect(0, bob),
      await cluster.connect(1, bob),
    ];
    const received = sockets.map((socket) => collect<Message>(socket, 'message:new'));
    const ack = await send(sockets[0]!, direct.body.id, '  hello bob  ');
    expect(ack).toMatchObject({ ok: true, message: { roomId: direct.body.id, senderId: alice.id, body: 'hello bob' } });
    expect(ack.message.id).toMatch(/^\d+$/);
    await eventually(() => {
      for (const list of received) expect(list.map((m) => m.id)).toEqual([ack.message.id]);
    });
  });

  it('delivers group messages to every member socket on both instances, and nothing to non-members or other rooms', async () => {
    const [owner, member, outsider] = [await cluster.user('owner'), await cluster.user('member'), await cluster.user('outsider')];
    const roomId = await groupRoom(owner, [member]);
    const otherRoomId = await groupRoom(outsider, [], 'elsewhere');
    const ownerSockets = [await cluster.connect(0, owner), await cluster.connect(1, owner)];
    const memberSockets = [await cluster.connect(1, member), await cluster.connect(0, member)];
    const outsiderSockets = [await cluster.connect(0, outsider), await cluster.connect(1, outsider)];
    const memberInbox = memberSockets.map((socket) => collect<Message>(socket, 'message:new'));
    const ownerInbox = ownerSockets.map((socket) => collect<Message>(socket, 'message:new'));
    const outsiderInbox = outsiderSockets.map((socket) => collect<Message>(socket, 'message:new'));

    const first = await send(memberSockets[0]!, roomId, 'from member on instance 1');
    const second = await send(ownerSockets[0]!, roomId, 'from owner on instance 0');
    const elsewhere = await send(outsiderSockets[1]!, otherRoomId, 'only for me');
    expect([first.ok, second.ok, elsewhere.ok]).toEqual([true, true, true]);

    await eventually(() => {
      for (const inbox of [...memberInbox, ...ownerInbox]) expect(inbox.map((m) => m.id).sort()).toEqual([first.message.id, second.message.id].sort());
      for (const inbox of outsiderInbox) expect(inbox.map((m) => m.id)).toEqual([elsewhere.message.id]);
    });
    await pause(100);
    for (const inbox of [...memberInbox, ...ownerInbox]) expect(inbox).toHaveLength(2);
  });

  it('drops its own broadcasts that Redis echoes back before parsing them, and still takes the other instance\'s', async () => {
    type ParsedMessage = { uid: string; type: number };
    const adapters = cluster.instances.slice(0, 2).map((instance) => instance.chat.io.of('/').adapter as unknown as { uid: string; onMessage(message: ParsedMessage, offset?: string): void });
    // What each adapter parsed (onMessage runs after the JSON is parsed), by sender.
    const parsedFrom = adapters.map((adapter) => {
      const senders: string[] = [];
      const onMessage = adapter.onMessage.bind(adapter);
      adapter.onMessage = (message, offset) => {
        senders.push(message.uid);
        onMessage(message, offset);
      };
      return { senders, restore: () => (adapter.onMessage = onMessage) };
    });
    try {
      const [owner, member] = [await cluster.user('echo-owner'), await cluster.user('echo-member')];
      const roomId = await groupRoom(owner, [member]);
      const sockets = [await cluster.connect(0, owner), await cluster.connect(1, member)];
      const received = sockets.map((socket) => collect<Message>(socket, 'message:new'));
      const fromFirst = await send(sockets[0]!, roomId, 'sent through the first instance');
      const fromSecond = await send(sockets[1]!, roomId, 'sent through the second instance');
      expect(fromFirst.ok && fromSecond.ok).toBe(true);
      await eventually(() => {
        for (const list of received) expect(list.map((m) => m.id)).toEqual([fromFirst.message.id, fromSecond.message.id]);
      });
      const [first, second] = parsedFrom;
      expect(first!.senders).toContain(adapters[1]!.uid);
      expect(second!.senders).toContain(adapters[0]!.uid);
      expect(first!.senders).not.toContain(adapters[0]!.uid);
      expect(second!.senders).not.toContain(adapters[1]!.uid);
    } finally {
      for (const { restore } of parsedFrom) restore();
    }
  });

  it('refuses a send by a non-member (forbidden ack, HTTP 403) and delivers nothing', async () => {
    const [owner, outsider] = [await cluster.user('owner'), await cluster.user('outsider')];
    const roomId = await groupRoom(owner, []);
    const ownerSocket = await cluster.connect(1, owner);
    const inbox = collect<Message>(ownerSocket, 'message:new');
    const outsiderSocket = await cluster.connect(0, outsider);
    const ack = await send(outsiderSocket, roomId, 'let me in');
    expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const viaRest = await cluster.api(1, 'POST', `/api/v1/rooms/${roomId}/messages`, {
      token: outsider.token,
      body: { clientMsgId: randomUUID(), body: 'let me in' },
    });
    expect(viaRest.status).toBe(403);
    expect(viaRest.body.error.code).toBe('forbidden');
    await pause(100);
    expect(inbox).toEqual([]);
  });

  it('answers malformed payloads with an invalid ack listing the problems, and survives sends without an ack callback', async () => {
    const owner = await cluster.user('owner');
    const roomId = await groupRoom(owner, []);
    const socket = await cluster.connect(0, owner);
    const inbox = collect<Message>(socket, 'message:new');

    const unknownField = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'x', extra: true });
    expect(unknownField).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const badIds = await emitWithAck(socket, 'message:send', { roomId: 'nope', clientMsgId: 'nope', body: 'x' });
    expect(badIds.ok).toBe(false);
    expect(badIds.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual(['clientMsgId', 'roomId']);
    const blank = await send(socket, roomId, '   ');
    expect(blank).toMatchObject({ ok: false, error: { code: 'invalid', details: [{ path: 'body' }] } });
    const tooLong = await send(socket, roomId, 'x'.repeat(4001));
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'invalid', details: [{ path: 'body' }] } });
    expect((await emitWithAck(socket, 'message:send', 'just a string')).error.code).toBe('invalid');

    // No ack callback at all, valid and invalid: the server neither crashes nor disconnects.
    (socket as any).emit('message:send', { roomId, clientMsgId: randomUUID(), body: 'fire and forget' });
    (socket as any).emit('message:send', { nonsense: true });
    await eventually(() => expect(inbox.map((m) => m.body)).toEqual(['fire and forget']));
    expect(socket.connected).toBe(true);
    expect((await send(socket, roomId, 'still here')).ok).toBe(true);
  });

  it('accepts a body of exactly 4000 characters', async () => {
    const owner = await cluster.user('owner');
    const roomId = await groupRoom(owner, []);
    const socket = await cluster.connect(1, owner);
    const ack = await send(socket, roomId, 'y'.repeat(4000));
    expect(ack.ok).toBe(true);
  });

  it('returns the same message for a retried clientMsgId, over socket and REST, and delivers it once', async () => {
    const [owner, member] = [await cluster.user('owner'), await cluster.user('member')];
    const roomId = await groupRoom(owner, [member]);
    const ownerSocket = await cluster.connect(0, owner);
    const retrySocket = await cluster.connect(1, owner);
    const memberSocket = await cluster.connect(1, member);
    const inbox = collect<Message>(memberSocket, 'message:new');
    const clientMsgId = randomUUID();

    const first = await send(ownerSocket, roomId, 'only once', clientMsgId);
    const retried = await send(retrySocket, roomId, 'only once', clientMsgId);
    const viaRest = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: owner.token, body: { clientMsgId, body: 'only once' } });
    // Concurrent retries in one batch, too.
    const concurrent = await Promise.all([send(ownerSocket, roomId, 'twins', clientMsgId), send(retrySocket, roomId, 'twins', clientMsgId)]);

    expect(retried.message).toEqual(first.message);
    expect(viaRest.status).toBe(200);
    expect(viaRest.body.message).toEqual(first.message);
    expect(concurrent.map((ack) => ack.message.id)).toEqual([first.message.id, first.message.id]);
    await pause(200);
    expect(inbox.map((m) => m.id)).toEqual([first.message.id]);

    // Idempotency is per sender: another sender may use the same clientMsgId.
    const memberAck = await send(memberSocket, roomId, 'mine', clientMsgId);
    expect(memberAck.message.id).not.toBe(first.message.id);
  });

  it('sends over REST with the same semantics: 201 and broadcast, 400 for bad input and unknown fields, 401 without a token', async () => {
    const [owner, member] = [await cluster.user('owner'), await cluster.user('member')];
    const roomId = await groupRoom(owner, [member]);
    const memberSocket = await cluster.connect(1, member);
    const inbox = collect<Message>(memberSocket, 'message:new');
    const sent = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: owner.token, body: { clientMsgId: randomUUID(), body: 'via rest' } });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ roomId, senderId: owner.id, body: 'via rest' });
    await eventually(() => expect(inbox.map((m) => m.id)).toEqual([sent.body.message.id]));

    const tooLong = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: owner.token, body: { clientMsgId: randomUUID(), body: 'z'.repeat(4001) } });
    expect(tooLong.status).toBe(400);
    const unknown = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: owner.token, body: { clientMsgId: randomUUID(), body: 'a', admin: true } });
    expect(unknown.status).toBe(400);
    const badRoom = await cluster.api(0, 'POST', '/api/v1/rooms/not-a-uuid/messages', { token: owner.token, body: { clientMsgId: randomUUID(), body: 'a' } });
    expect(badRoom.status).toBe(400);
    const anonymous = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { body: { clientMsgId: randomUUID(), body: 'a' } });
    expect(anonymous.status).toBe(401);
  });

  it('acknowledges only after the batch is durably queued in one BullMQ job with retrying options', async () => {
    // A generous batch window on this instance; a first send starts it, so the five sends surely share the next batch.
    const instance = await cluster.startInstance({ SEND_BATCH_MAX_WAIT_MS: '300' });
    const owner = await cluster.user('owner');
    const roomId = await groupRoom(owner, []);
    const socket = await cluster.connect(instance, owner);
    await startBatchWindow(socket, owner);
    const acks = await Promise.all(Array.from({ length: 5 }, (_, index) => send(socket, roomId, `batched ${index}`)));
    await cluster.stopInstance(instance);
    const ids = acks.map((ack) => ack.message.id);
    const jobs = (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).filter((job) =>
      job.data.messages.some((message: Message) => ids.includes(message.id)),
    );
    const queued = jobs.flatMap((job) => job.data.messages.map((message: Message) => message.id));
    expect(queued).toEqual(expect.arrayContaining(ids));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.opts).toMatchObject({ attempts: QUEUE_POLICIES.messages.attempts, backoff: { type: 'jitter', delay: 1000 } });
    // The accepted hash: every message of the batch, with the room sequence number its ack carried
    // (the job may hold earlier batches too: a batch joins the job still waiting in its queue).
    expect(await redis.hgetall(jobs[0]!.data.acceptedKey)).toMatchObject(Object.fromEntries(acks.map((ack) => [ack.message.id, String(ack.message.seq)])));
    expect(acks.map((ack) => ack.message.seq).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('names in the batch’s job only what its accept script took: a retry in the same batch is in the job but not in the accepted hash', async () => {
    const instance = await cluster.startInstance({ SEND_BATCH_MAX_WAIT_MS: '300' });
    const owner = await cluster.user('owner');
    const roomId = await groupRoom(owner, []);
    const socket = await cluster.connect(instance, owner);
    await startBatchWindow(socket, owner);
    const clientMsgId = randomUUID();
    const [first, retry] = await Promise.all([send(socket, roomId, 'once', clientMsgId), send(socket, roomId, 'once', clientMsgId)]);
    await cluster.stopInstance(instance);
    expect(retry.message).toEqual(first.message);
    const [job] = (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).filter((candidate) =>
      candidate.data.messages.some((message: Message) => message.clientMsgId === clientMsgId),
    );
    const attempts = job!.data.messages.filter((message: Message) => message.clientMsgId === clientMsgId);
    expect(attempts).toHaveLength(2);
    const accepted = await redis.hgetall(job!.data.acceptedKey);
    expect(accepted[first.message.id]).toBe('1');
    expect(attempts.filter((message: Message) => accepted[message.id] !== undefined)).toHaveLength(1);
  });

  it('accepts nothing of a batch whose job cannot be written (one script does both): the sender is told to retry, no key, window entry or number stays taken, and the retry goes through', async () => {
    const owner = await cluster.user('owner');
    const roomId = await groupRoom(owner, []);
    const [sender, watcher] = [await cluster.connect(0, owner), await cluster.connect(1, owner)];
    const seen = collect(watcher, 'message:new');
    expect(await send(sender, roomId, 'numbered 1')).toMatchObject({ ok: true, message: { seq: 1 } });
    // A job-id counter that is not a number makes BullMQ's part of the script fail; without an
    // open job to join, the batch needs a job of its own.
    await redis.del(openMessageJobKey(cluster.redisPrefix, queue.name));
    const counterKey = queue.keys.id!;
    const counter = await redis.get(counterKey);
    await redis.set(counterKey, 'not-a-number');
    const clientMsgId = randomUUID();
    const refused = await send(sender, roomId, 'needs a job', clientMsgId).finally(() => (counter === null ? redis.del(counterKey) : redis.set(counterKey, counter)));
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await redis.exists(idempotencyKey(cluster.redisPrefix, owner.id, clientMsgId))).toBe(0);
    expect(await redis.get(roomSequenceKey(cluster.redisPrefix, roomId))).toBe('1');
    const history = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages`, { token: owner.token });
    expect(history.body.messages.map((message: Message) => message.body)).toEqual(['numbered 1']);

    const retried = await send(sender, roomId, 'needs a job', clientMsgId);
    expect(retried).toMatchObject({ ok: true, message: { body: 'needs a job', clientMsgId, seq: 2 } });
    await eventually(() => expect(seen).toHaveLength(2));
    await pause(200);
    expect(seen.map((message) => message.seq)).toEqual([1, 2]);
  });

  it('with MESSAGE_DURABILITY=replicas, answers unavailable and delivers nothing while the replicas do not confirm (the test Redis has none); the message stays queued', async () => {
    const instance = await cluster.startInstance({ MESSAGE_DURABILITY: 'replicas', REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '50' });
    try {
      const owner = await cluster.user('owner');
      const roomId = await groupRoom(owner, []);
      const socket = await cluster.connect(instance, owner);
      const inbox = collect<Message>(socket, 'message:new');
      const clientMsgId = randomUUID();
      expect(await send(socket, roomId, 'waited', clientMsgId)).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      // A retry is a duplicate of the queued message, and just as unconfirmed.
      expect(await send(socket, roomId, 'waited', clientMsgId)).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      await pause(200);
      expect(inbox).toEqual([]);
      const history = await cluster.api(instance, 'GET', `/api/v1/rooms/${roomId}/messages`, { token: owner.token });
      expect(history.body.messages).toMatchObject([{ clientMsgId, seq: 1 }]);
      const metrics = await (await fetch(`${instance.adminUrl}/metrics`)).text();
      expect(metrics).toMatch(/^parley_messages_unconfirmed_total\{[^}]*\} 1$/m);
      expect(metrics).toMatch(/^parley_message_durability_guaranteed\{[^}]*mode="replicas"[^}]*\} 0$/m);
    } finally {
      await cluster.stopInstance(instance);
    }
  });
});

describe('history without a persistence worker', () => {
  it('serves acknowledged messages at once, in id order, in pages without duplicates, backwards and forwards', async () => {
    const owner = await cluster.user('owner');
    const roomId = await groupRoom(owner, []);
    const sockets = [await cluster.connect(0, owner), await cluster.connect(1, owner)];
    const sentIds: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      const ack = await send(sockets[index % 2]!, roomId, `message ${index}`);
      sentIds.push(ack.message.id);
    }
    const sorted = [...sentIds].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(sentIds).toEqual(sorted);

    const newest = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages?limit=5`, { token: owner.token });
    expect(newest.status).toBe(200);
    expect(newest.body.messages.map((m: Message) => m.id)).toEqual(sorted.slice(7));
    expect(newest.body.hasMore).toBe(true);
    const older = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages?limit=5&before=${newest.body.messages[0].id}`, { token: owner.token });
    expect(older.body.messages.map((m: Message) => m.id)).toEqual(sorted.slice(2, 7));
    const oldest = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages?limit=5&before=${older.body.messages[0].id}`, { token: owner.token });
    expect(oldest.body).toMatchObject({ hasMore: false });
    expect(oldest.body.messages.map((m: Message) => m.id)).toEqual(sorted.slice(0, 2));
    const forward = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages?limit=100&after=${sorted[3]}`, { token: owner.token });
    expect(forward.body.messages.map((m: Message) => m.id)).toEqual(sorted.slice(4));
    expect(forward.body.hasMore).toBe(false);
  });

  it('merges persisted messages with the recent window by id, without duplicates', async () => {
    const owner = await cluster.user('owner');
    const roomId = await groupRoom(owner, []);
    const socket = await cluster.connect(0, owner);
    const acks = [];
    for (let index = 0; index < 6; index += 1) acks.push(await send(socket, roomId, `m${index}`));
    const messages: Message[] = acks.map((ack) => ack.message);
    // Play the persistence worker for the first four (they stay in the window too).
    const { insertMessageBatch } = await import('@parley/chat-store');
    await insertMessageBatch(cluster.instances[0]!.chat.dataSource, messages.slice(0, 4));
    // And pretend the window lost the first two (trimmed).
    const windowKey = recentWindowKey(cluster.redisPrefix, roomId);
    const members = await redis.zrange(windowKey, 0, -1);
    await redis.zrem(windowKey, ...members.slice(0, 2));

    const page = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages?limit=50`, { token: owner.token });
    expect(page.body.messages.map((m: Message) => m.id)).toEqual(messages.map((m) => m.id));
    expect(page.body.hasMore).toBe(false);
    const two = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages?limit=2&after=${messages[2]!.id}`, { token: owner.token });
    expect(two.body).toEqual({ messages: messages.slice(3, 5), hasMore: true });
  });

  it('refuses history to non-members (403), unknown rooms (404) and bad queries (400)', async () => {
    const [owner, outsider] = [await cluster.user('owner'), await cluster.user('outsider')];
    const roomId = await groupRoom(owner, []);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages`, { token: outsider.token })).status).toBe(403);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${randomUUID()}/messages`, { token: outsider.token })).status).toBe(404);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages?limit=101`, { token: owner.token })).status).toBe(400);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages?before=1&after=2`, { token: owner.token })).status).toBe(400);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages?since=1`, { token: owner.token })).status).toBe(400);
  });
});

describe('room:sync after being offline', () => {
  it('returns exactly the messages missed since the last id, per room, capped with hasMore, and nothing for rooms the caller is not in', async () => {
    const [owner, member] = [await cluster.user('owner'), await cluster.user('member')];
    const roomId = await groupRoom(owner, [member]);
    const quietRoomId = await groupRoom(owner, [member], 'quiet');
    const foreignRoomId = await groupRoom(owner, [], 'private');
    const ownerSocket = await cluster.connect(0, owner);
    let memberSocket = await cluster.connect(1, member);
    const seen = await send(ownerSocket, roomId, 'seen before going offline');
    await nextEvent(memberSocket, 'message:new');
    memberSocket.disconnect();

    const missed: string[] = [];
    for (let index = 0; index < 3; index += 1) missed.push((await send(ownerSocket, roomId, `missed ${index}`)).message.id);
    await send(ownerSocket, foreignRoomId, 'not for the member');

    memberSocket = await cluster.connect(0, member);
    const result = await emitWithAck(memberSocket, 'room:sync', {
      rooms: [
        { roomId, afterId: seen.message.id },
        { roomId: quietRoomId, afterId: null },
        { roomId: foreignRoomId, afterId: null },
      ],
    });
    expect(result.ok).toBe(true);
    expect(result.rooms).toEqual([
      { roomId, messages: expect.any(Array), hasMore: false },
      { roomId: quietRoomId, messages: [], hasMore: false },
      { roomId: foreignRoomId, messages: [], hasMore: false },
    ]);
    expect(result.rooms[0].messages.map((m: Message) => m.id)).toEqual(missed);

    const invalid = await emitWithAck(memberSocket, 'room:sync', { rooms: [{ roomId: 'x', afterId: null }] });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });
});
