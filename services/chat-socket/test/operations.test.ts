import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, Presence, ServerReconnectEvent } from '@parley/contracts';
import { TEST_REDIS_URL } from '@parley/testing';
import { notificationsChannel, sessionsRevokedChannel } from '@parley/keyspace';
import { ADMIN_TOKEN, collect, emitWithAck, eventually, nextEvent, pause, startChatCluster, type ChatCluster, type ClientSocket } from './support/chat-cluster.js';

let cluster: ChatCluster;
let redis: Redis;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_operations', env: { PRESENCE_TTL_SECONDS: '3' } });
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  redis?.disconnect();
  await cluster?.close();
});

describe('platform events', () => {
  it('disconnects every socket of a user on every instance when the auth service revokes their sessions', async () => {
    const [victim, bystander] = [await cluster.user('victim'), await cluster.user('bystander')];
    const sockets = [await cluster.connect(0, victim), await cluster.connect(1, victim)];
    const other = await cluster.connect(1, bystander);
    const reasons = sockets.map((socket) => nextEvent<string>(socket, 'disconnect'));
    const now = Math.floor(Date.now() / 1000);
    const revoked = { userId: victim.id, reason: 'password-reset', notBefore: now + 1, expiresAt: now + 960 };
    await redis.publish(sessionsRevokedChannel(cluster.redisPrefix), JSON.stringify(revoked));
    expect(await Promise.all(reasons)).toEqual(['io server disconnect', 'io server disconnect']);
    await redis.publish(sessionsRevokedChannel(cluster.redisPrefix), 'not json');
    await pause(100);
    expect(other.connected).toBe(true);
  });

  it('relays notifications published by the persistence worker to the user’s sockets on every instance, once each', async () => {
    const user = await cluster.user('notified');
    const sockets = [await cluster.connect(0, user), await cluster.connect(1, user), await cluster.connect(1, user)];
    const inboxes = sockets.map((socket) => collect(socket, 'notification'));
    const notification = { kind: 'message', roomId: randomUUID(), fromUserId: randomUUID(), messageId: '123', createdAt: new Date().toISOString() };
    await redis.publish(notificationsChannel(cluster.redisPrefix), JSON.stringify({ userId: user.id, notification }));
    await redis.publish(notificationsChannel(cluster.redisPrefix), JSON.stringify({ userId: user.id, notification: { kind: 'spam' } }));
    await eventually(() => inboxes.forEach((inbox) => expect(inbox).toEqual([notification])));
    await pause(100);
    inboxes.forEach((inbox) => expect(inbox).toHaveLength(1));
  });
});

describe('operator endpoints', () => {
  it('count and shed this instance’s sockets behind the admin token, with server:reconnect before each disconnect', async () => {
    const base = cluster.instances[1]!.url;
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    expect((await fetch(`${base}/admin/v1/sockets`)).status).toBe(401);
    expect((await fetch(`${base}/admin/v1/sockets`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);

    const before = ((await (await fetch(`${base}/admin/v1/sockets`, { headers: admin })).json()) as { count: number }).count;
    const user = await cluster.user('shed');
    const sockets = [await cluster.connect(1, user), await cluster.connect(1, user), await cluster.connect(1, user)];
    expect(await (await fetch(`${base}/admin/v1/sockets`, { headers: admin })).json()).toEqual({ count: before + 3 });
    const hints = sockets.map((socket) => collect<ServerReconnectEvent>(socket, 'server:reconnect'));
    const disconnects = sockets.map((socket) => collect<string>(socket, 'disconnect'));

    expect((await fetch(`${base}/admin/v1/sockets/shed`, { method: 'POST', headers: admin, body: JSON.stringify({ count: 0 }) })).status).toBe(400);
    const shed = await fetch(`${base}/admin/v1/sockets/shed`, { method: 'POST', headers: admin, body: JSON.stringify({ count: before + 2 }) });
    expect(shed.status).toBe(202);
    expect(await shed.json()).toEqual({ shedding: before + 2 });
    await eventually(() => expect(disconnects.filter((list) => list.length > 0)).toHaveLength(2));
    for (const [index, list] of disconnects.entries()) {
      if (list.length === 0) continue;
      expect(list).toEqual(['io server disconnect']);
      expect(hints[index]).toEqual([{ reason: 'rebalance', delayMs: expect.any(Number) }]);
      expect(hints[index]![0]!.delayMs).toBeLessThanOrEqual(50);
    }
    expect(await (await fetch(`${base}/admin/v1/sockets`, { headers: admin })).json()).toEqual({ count: 1 });
  });

  it('does not mount the admin endpoints when no admin token is configured', async () => {
    const instance = await cluster.startInstance({ ADMIN_API_TOKEN: undefined });
    try {
      expect((await fetch(`${instance.url}/admin/v1/sockets`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
    } finally {
      await cluster.stopInstance(instance);
    }
  });

  it('drains on shutdown: readiness 503, server:reconnect to local sockets, new handshakes refused, sockets closed', async () => {
    const instance = await cluster.startInstance();
    try {
      const user = await cluster.user('drained');
      const socket = await cluster.connect(instance, user);
      const hint = nextEvent<ServerReconnectEvent>(socket, 'server:reconnect');
      const closed = nextEvent<string>(socket, 'disconnect', 5_000);
      instance.chat.markDraining();
      expect(await hint).toEqual({ reason: 'shutdown', delayMs: expect.any(Number) });
      expect((await fetch(`${instance.url}/readyz`)).status).toBe(503);
      const late: ClientSocket = connectClient(instance.url, { auth: { token: user.token }, transports: ['websocket'], reconnection: false, forceNew: true });
      const refused = await nextEvent<Error & { data?: { code?: string } }>(late, 'connect_error');
      expect(refused.data).toEqual({ code: 'unavailable' });
      late.disconnect();
      expect(await closed).toBe('io server disconnect');
    } finally {
      await cluster.stopInstance(instance);
    }
  });
  it('flushes the pending send batch on close: the sender still gets its ack and the message is in history', async () => {
    const instance = await cluster.startInstance({ SEND_BATCH_MAX_WAIT_MS: '1000' });
    const user = await cluster.user('late');
    const room = await cluster.api(0, 'POST', '/api/v1/rooms', { token: user.token, body: { name: 'flush' } });
    const socket = await cluster.connect(instance, user);
    // A send on a quiet pod starts a batch at once: the second waits for the 1 s window the first opened.
    expect(await emitWithAck(socket, 'message:send', { roomId: room.body.id, clientMsgId: randomUUID(), body: 'opens the window' })).toMatchObject({ ok: true });
    const ack = emitWithAck(socket, 'message:send', { roomId: room.body.id, clientMsgId: randomUUID(), body: 'in flight' });
    await pause(100);
    await cluster.stopInstance(instance);
    const result = await ack;
    expect(result.ok).toBe(true);
    const history = await cluster.api(0, 'GET', `/api/v1/rooms/${room.body.id}/messages`, { token: user.token });
    expect(history.body.messages.map((m: Message) => m.body).sort()).toEqual(['in flight', 'opens the window']);
    expect(history.body.messages.map((m: Message) => m.id)).toContain(result.message.id);
  });
});

describe('presence heartbeat', () => {
  it('keeps a connected user online past the presence TTL: every instance renews its sockets’ leases', async () => {
    const [watcher, member] = [await cluster.user('watcher'), await cluster.user('member')];
    await cluster.api(0, 'POST', '/api/v1/rooms', { token: watcher.token, body: { name: 'heartbeat', memberIds: [member.id] } });
    const memberSockets = [await cluster.connect(0, member), await cluster.connect(1, member)];
    const watcherSocket = await cluster.connect(0, watcher);
    const presence = collect<Presence>(watcherSocket, 'presence');
    await pause(4_500); // 1.5 × the 3 s TTL
    const [status] = (await cluster.api(1, 'GET', `/api/v1/presence?userIds=${member.id}`, { token: watcher.token })).body.presence;
    expect(status).toMatchObject({ userId: member.id, status: 'online', lastSeenAt: null });
    expect(presence.filter((p) => p.userId === member.id && p.status === 'offline')).toEqual([]);
    for (const socket of [...memberSockets, watcherSocket]) socket.disconnect();
  });
});

describe('an instance that crashes', () => {
  it('takes its users offline within the presence TTL, and a client reconnecting to another instance back-fills with room:sync without gaps or duplicates', async () => {
    const doomed = await cluster.startInstance();
    const [watcher, member] = [await cluster.user('watcher'), await cluster.user('member')];
    const room = await cluster.api(0, 'POST', '/api/v1/rooms', { token: watcher.token, body: { name: 'crash', memberIds: [member.id] } });
    const roomId: string = room.body.id;
    const watcherSocket = await cluster.connect(0, watcher);
    const presence = collect<Presence>(watcherSocket, 'presence');
    let memberSocket = await cluster.connect(doomed, member);
    await eventually(() => expect(presence.filter((p) => p.userId === member.id).map((p) => p.status)).toEqual(['online']));

    const received: Message[] = [];
    memberSocket.on('message:new', (message) => received.push(message));
    const sendAsWatcher = async (body: string) =>
      (await emitWithAck(watcherSocket, 'message:send', { roomId, clientMsgId: randomUUID(), body })).message as Message;
    const sent = [await sendAsWatcher('before 1'), await sendAsWatcher('before 2')];
    await eventually(() => expect(received.map((m) => m.id)).toEqual(sent.map((m) => m.id)));

    const lost = nextEvent<string>(memberSocket, 'disconnect');
    await doomed.chat.abort();
    expect(await lost).toBe('transport close');
    for (let index = 0; index < 3; index += 1) sent.push(await sendAsWatcher(`while away ${index}`));

    // No goodbye was written: only the expiring lease and the sweeper can tell.
    await eventually(() => expect(presence.filter((p) => p.userId === member.id).map((p) => p.status)).toEqual(['online', 'offline']), 12_000, 100);
    const [status] = (await cluster.api(1, 'GET', `/api/v1/presence?userIds=${member.id}`, { token: watcher.token })).body.presence;
    expect(status.status).toBe('offline');

    memberSocket = await cluster.connect(1, member);
    memberSocket.on('message:new', (message) => received.push(message));
    const sync = await emitWithAck(memberSocket, 'room:sync', { rooms: [{ roomId, afterId: received.at(-1)!.id }] });
    expect(sync.ok).toBe(true);
    received.push(...sync.rooms[0].messages);
    sent.push(await sendAsWatcher('after reconnect'));
    await eventually(() => expect(received.map((m) => m.id)).toEqual(sent.map((m) => m.id)));
    await eventually(() => expect(presence.filter((p) => p.userId === member.id).map((p) => p.status)).toEqual(['online', 'offline', 'online']));
    doomed.stopped = true;
    doomed.server.close();
    doomed.adminServer.close();
  });
});
