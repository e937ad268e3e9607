import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { insertMessageBatch } from '@parley/chat-store';
import { TEST_REDIS_URL } from '@parley/testing';
import { roomSequenceKey } from '@parley/keyspace';
import { collect, emitWithAck, eventually, nextEvent, pause, startChatCluster, type ChatCluster, type ClientSocket, type TestUser } from './support/chat-cluster.js';

let cluster: ChatCluster;
let redis: Redis;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_sequence', env: { SEND_BURST: '50', SEND_RATE_PER_SECOND: '50' } });
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  redis?.disconnect();
  await cluster?.close();
});

async function groupRoom(owner: TestUser, members: TestUser[] = [], name = 'team'): Promise<string> {
  const created = await cluster.api(0, 'POST', '/api/v1/rooms', { token: owner.token, body: { name, memberIds: members.map((m) => m.id) } });
  expect(created.status).toBe(201);
  return created.body.id;
}

const send = (socket: ClientSocket, roomId: string, body: string, clientMsgId = randomUUID()) =>
  emitWithAck(socket, 'message:send', { roomId, clientMsgId, body });

/** A message as the worker stores it, with chosen id and number (ids and numbers can disagree across pods). */
function stored(roomId: string, senderId: string, id: string, seq: number): Message {
  return { id, seq, roomId, senderId, clientMsgId: randomUUID(), body: `seq ${seq}`, createdAt: new Date().toISOString() };
}

describe('room sequence numbers', () => {
  it('numbers each room’s messages 1, 2, 3… in acceptance order across both instances; a retry or a rate-limited send takes no number; rooms count on their own', async () => {
    const [owner, member] = [await cluster.user('owner'), await cluster.user('member')];
    const roomId = await groupRoom(owner, [member]);
    const otherRoomId = await groupRoom(owner, [], 'other');
    const [ownerSocket, memberSocket] = [await cluster.connect(0, owner), await cluster.connect(1, member)];
    const live = collect<Message>(memberSocket, 'message:new');

    const first = await send(ownerSocket, roomId, 'one');
    const clientMsgId = randomUUID();
    const second = await send(memberSocket, roomId, 'two', clientMsgId);
    const retry = await send(memberSocket, roomId, 'two', clientMsgId);
    const elsewhere = await send(ownerSocket, otherRoomId, 'first there');
    const third = await send(ownerSocket, roomId, 'three');
    expect([first, second, retry, elsewhere, third].map((ack) => ack.message.seq)).toEqual([1, 2, 2, 1, 3]);
    await eventually(() => expect(live.map((message) => message.seq)).toEqual([1, 2, 3]));

    // A burst over the rate limit: the refused sends leave no hole in the numbering.
    const burst = await Promise.all(Array.from({ length: 60 }, (_, index) => send(ownerSocket, otherRoomId, `burst ${index}`)));
    const accepted = burst.filter((ack) => ack.ok).map((ack) => ack.message.seq as number);
    expect(burst.some((ack) => !ack.ok && ack.error.code === 'rate_limited')).toBe(true);
    expect(accepted.sort((a, b) => a - b)).toEqual(Array.from({ length: accepted.length }, (_, index) => index + 2));
  });

  it('room:sync by sequence returns a message whose id is lower than the newest one the client holds, which sync by id cannot', async () => {
    const owner = await cluster.user('owner');
    const roomId = await groupRoom(owner);
    // Two pods with slightly different clocks: number 3 got a lower id than number 2.
    const messages = [stored(roomId, owner.id, '1000000000001', 1), stored(roomId, owner.id, '1000000000300', 2), stored(roomId, owner.id, '1000000000200', 3)];
    await insertMessageBatch(cluster.instances[0]!.chat.dataSource, messages);
    const socket = await cluster.connect(1, owner);

    const byId = await emitWithAck(socket, 'room:sync', { rooms: [{ roomId, afterId: messages[1]!.id }] });
    expect(byId.rooms[0].messages).toEqual([]);
    const bySeq = await emitWithAck(socket, 'room:sync', { rooms: [{ roomId, afterSeq: 2 }] });
    expect(bySeq).toMatchObject({ ok: true, rooms: [{ roomId, messages: [messages[2]], hasMore: false }] });
    const gap = await emitWithAck(socket, 'room:sync', { rooms: [{ roomId, afterSeq: 0 }] });
    expect(gap.rooms[0].messages.map((message: Message) => message.seq)).toEqual([1, 2, 3]);
    const both = await emitWithAck(socket, 'room:sync', { rooms: [{ roomId, afterSeq: 1, afterId: '1' }] });
    expect(both).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('pages history in sequence order across PostgreSQL and the recent window (newest, beforeSeq, afterSeq), with seq on every message', async () => {
    const owner = await cluster.user('owner');
    const roomId = await groupRoom(owner);
    const socket = await cluster.connect(0, owner);
    const acks = [];
    for (let index = 0; index < 6; index += 1) acks.push(await send(socket, roomId, `m${index + 1}`));
    // The worker has stored the first three (they are still in the window too).
    await insertMessageBatch(cluster.instances[0]!.chat.dataSource, acks.slice(0, 3).map((ack) => ack.message));
    const page = (query: string) => cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages?${query}`, { token: owner.token }).then((response) => response.body);

    expect(await page('limit=4')).toMatchObject({ messages: acks.slice(2).map((ack) => ack.message), hasMore: true });
    expect(await page('limit=4&beforeSeq=3')).toEqual({ messages: acks.slice(0, 2).map((ack) => ack.message), hasMore: false });
    expect(await page('limit=2&afterSeq=2')).toEqual({ messages: acks.slice(2, 4).map((ack) => ack.message), hasMore: true });
    expect((await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages?afterSeq=1&after=1`, { token: owner.token })).status).toBe(400);
    expect((await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages?afterSeq=-1`, { token: owner.token })).status).toBe(400);
  });

  it('gives a room whose counter Redis lost the number after the highest one stored or still in the window', async () => {
    const owner = await cluster.user('owner');
    const roomId = await groupRoom(owner);
    await insertMessageBatch(cluster.instances[0]!.chat.dataSource, [stored(roomId, owner.id, '1000000000010', 7)]);
    const socket = await cluster.connect(0, owner);
    // Nothing in Redis yet for this room: seeded from PostgreSQL.
    expect((await send(socket, roomId, 'after seven')).message.seq).toBe(8);
    // Counter lost, the window still holds 8: seeded from the window.
    await redis.del(roomSequenceKey(cluster.redisPrefix, roomId));
    expect((await send(socket, roomId, 'after eight')).message.seq).toBe(9);
  });
});

describe('after the adapter’s connection to Redis comes back', () => {
  it('tells the pod’s own sockets server:resync (with a spread delay), and they find what they missed by sequence', async () => {
    const [owner, member] = [await cluster.user('owner'), await cluster.user('member')];
    const roomId = await groupRoom(owner, [member]);
    const [ownerSocket, memberSocket, otherPodSocket] = [await cluster.connect(0, owner), await cluster.connect(1, member), await cluster.connect(0, member)];
    const sentBefore = await send(ownerSocket, roomId, 'before the cut');
    await nextEvent(memberSocket, 'message:new');
    const otherPodResyncs = collect(otherPodSocket, 'server:resync');

    // Cut instance 1's adapter subscriber (only that connection: CLIENT KILL by its address).
    const { subClient } = cluster.instances[1]!.chat.io.of('/').adapter as unknown as { subClient: Redis };
    const address = `${subClient.stream.localAddress}:${subClient.stream.localPort}`;
    const resync = nextEvent(memberSocket, 'server:resync', 10_000);
    expect(await redis.client('KILL', 'ADDR', address)).toBe(1);

    expect(await resync).toEqual({ reason: 'adapter-reconnected', delayMs: 50 });
    const caughtUp = await emitWithAck(memberSocket, 'room:sync', { rooms: [{ roomId, afterSeq: sentBefore.message.seq }] });
    expect(caughtUp.rooms[0]).toEqual({ roomId, messages: [], hasMore: false });
    await pause(100);
    expect(otherPodResyncs).toEqual([]);
    const metrics = await (await fetch(`${cluster.instances[1]!.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^parley_adapter_resyncs_total\{[^}]*\} 1$/m);
  });
});

describe('message durability against this Redis (the test Redis runs without AOF)', () => {
  it('says in /readyz and parley_message_durability_guaranteed that MESSAGE_DURABILITY=fsync cannot be kept, and why, while still serving', async () => {
    const ready = await (await fetch(`${cluster.instances[0]!.adminUrl}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ok', info: { messageDurability: { mode: 'fsync', guaranteed: false, detail: expect.stringMatching(/appendonly is no/) } } });
    const metrics = await (await fetch(`${cluster.instances[0]!.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^parley_message_durability_guaranteed\{[^}]*mode="fsync"[^}]*\} 0$/m);
  });
});
