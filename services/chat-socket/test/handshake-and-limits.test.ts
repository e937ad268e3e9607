import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, emitWithAck, eventually, nextEvent, pause, startChatCluster, ALLOWED_ORIGIN, type ChatCluster, type ClientSocket } from './support/chat-cluster.js';

let cluster: ChatCluster;

beforeAll(async () => {
  cluster = await startChatCluster({
    label: 'chat_handshake',
    env: { SEND_RATE_PER_SECOND: '1', SEND_BURST: '3', SOCKET_EVENTS_PER_SECOND: '20', SOCKET_EVENT_BURST: '40', SOCKET_FLOOD_DISCONNECT_AFTER: '30' },
  });
});

afterAll(async () => {
  await cluster?.close();
});

/** Resolves with the connect_error a handshake ends in (or rejects if it connects). */
function handshakeError(options: { auth?: Record<string, unknown>; origin?: string; transports?: string[] }, instance = 0): Promise<Error & { data?: { code?: string } }> {
  const socket: ClientSocket = connectClient(cluster.instances[instance]!.url, {
    auth: options.auth ?? {},
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(options.origin ? { extraHeaders: { origin: options.origin } } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.disconnect();
      reject(new Error('connected'));
    });
    socket.once('connect_error', (error) => {
      socket.disconnect();
      resolve(error);
    });
  });
}

describe('socket handshake', () => {
  it('refuses a connection without a token, or with a bad or forged one, with connect_error code unauthorized', async () => {
    const user = await cluster.user('mallory');
    const cases = [
      {},
      { token: '' },
      { token: 'not-a-jwt' },
      { token: cluster.issuer.forge.unsigned(user) },
      { token: await cluster.issuer.forge.unknownKey(user) },
      { token: await cluster.issuer.forge.hmacWithPublicKey(user) },
      { token: await cluster.issuer.mint(user, { expiresIn: -120 }) },
      { token: await cluster.issuer.mint(user, { audience: 'someone-else' }) },
    ];
    for (const auth of cases) {
      const error = await handshakeError({ auth });
      expect(error.data).toEqual({ code: 'unauthorized' });
    }
  });

  it('accepts a valid token over WebSocket and over long-polling, from an allowed Origin or from a non-browser client without one', async () => {
    const user = await cluster.user('alice');
    const viaOrigin = await cluster.connect(0, user, { origin: ALLOWED_ORIGIN });
    expect(viaOrigin.connected).toBe(true);
    const polling: ClientSocket = connectClient(cluster.instances[1]!.url, { auth: { token: user.token }, transports: ['polling'], reconnection: false, forceNew: true });
    await nextEvent(polling, 'connect');
    polling.disconnect();
  });

  it('refuses a disallowed Origin before the upgrade (WebSocket and polling)', async () => {
    const user = await cluster.user('alice');
    const error = await handshakeError({ auth: { token: user.token }, origin: 'https://evil.example' });
    expect(error.message).toMatch(/websocket error/i);
    const pollingError = await handshakeError({ auth: { token: user.token }, origin: 'https://evil.example', transports: ['polling'] });
    expect(pollingError.message).toMatch(/xhr poll error/i);
    const raw = await fetch(`${cluster.instances[0]!.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.example' } });
    expect(raw.status).toBe(403);
  });
});

describe('idle socket memory', () => {
  // V8's gc() on demand, for a WeakRef check (the flag is read when gc is first looked up).
  setFlagsFromString('--expose-gc');
  const collectGarbage = runInNewContext('gc') as () => void;

  async function collectedWhileConnected(transports: string[]): Promise<{ collected: boolean; socket: ClientSocket }> {
    const instance = cluster.instances[0]!;
    let request: WeakRef<IncomingMessage> | undefined;
    const capture = (req: IncomingMessage) => {
      request ??= new WeakRef(req);
    };
    // The HTTP server's 'upgrade' event carries the WebSocket upgrade request engine.io handles.
    instance.server.on('upgrade', capture);
    const user = await cluster.user('idle');
    const socket: ClientSocket = connectClient(instance.url, { auth: { token: user.token }, transports, reconnection: false, forceNew: true });
    await nextEvent(socket, 'connect');
    if (transports[0] === 'polling') await eventually(() => expect(socket.io.engine.transport.name).toBe('websocket'));
    instance.server.off('upgrade', capture);
    expect(request).toBeDefined();
    // Two rounds: objects freed in the first may only then release what they held.
    for (let round = 0; round < 2; round += 1) {
      await pause(20);
      collectGarbage();
    }
    return { collected: request!.deref() === undefined, socket };
  }

  it('lets the upgrade request of a connected WebSocket be garbage-collected, and the socket keeps working', async () => {
    const { collected, socket } = await collectedWhileConnected(['websocket']);
    expect(collected).toBe(true);
    expect(socket.connected).toBe(true);
    const rooms = await emitWithAck<{ ok: boolean }>(socket, 'room:sync', { rooms: [] });
    expect(rooms.ok).toBe(true);
    socket.disconnect();
  });

  it('does the same for a socket that started on long-polling and upgraded to WebSocket', async () => {
    const { collected, socket } = await collectedWhileConnected(['polling', 'websocket']);
    expect(collected).toBe(true);
    const rooms = await emitWithAck<{ ok: boolean }>(socket, 'room:sync', { rooms: [] });
    expect(rooms.ok).toBe(true);
    socket.disconnect();
  });
});

describe('limits', () => {
  it('rate limits sends per user across instances (shared token bucket) with a rate_limited ack', async () => {
    const user = await cluster.user('chatty');
    const room = await cluster.api(0, 'POST', '/api/v1/rooms', { token: user.token, body: { name: 'spam' } });
    const sockets = [await cluster.connect(0, user), await cluster.connect(1, user)];
    const acks = [];
    for (let index = 0; index < 8; index += 1) {
      acks.push(await emitWithAck(sockets[index % 2]!, 'message:send', { roomId: room.body.id, clientMsgId: randomUUID(), body: `#${index}` }));
    }
    // Burst of 3, then 1 per second: the first three pass, most of the rest are refused.
    expect(acks.slice(0, 3).every((ack) => ack.ok)).toBe(true);
    const limited = acks.filter((ack) => !ack.ok);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(limited.every((ack) => ack.error.code === 'rate_limited')).toBe(true);
    const viaRest = await cluster.api(0, 'POST', `/api/v1/rooms/${room.body.id}/messages`, { token: user.token, body: { clientMsgId: randomUUID(), body: 'rest' } });
    expect(viaRest.status).toBe(429);
    expect(viaRest.body.error.code).toBe('rate_limited');
    const metrics = await (await fetch(`${cluster.instances[0]!.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/parley_send_rate_limited_total\{[^}]*\} [1-9]/);
  });

  it('closes the connection of a socket that sends a frame over 16 KB', async () => {
    const user = await cluster.user('big');
    const socket = await cluster.connect(0, user);
    const disconnected = nextEvent<string>(socket, 'disconnect');
    socket.emit('message:send', { roomId: randomUUID(), clientMsgId: randomUUID(), body: 'x'.repeat(17_000) }, () => undefined);
    expect(await disconnected).toBe('transport close');
  });

  it('drops events over the per-socket budget (rate_limited acks) and disconnects a socket that keeps flooding', async () => {
    const user = await cluster.user('flood');
    const socket = await cluster.connect(1, user);
    const disconnected = nextEvent<string>(socket, 'disconnect');
    const syncAcks: Array<Promise<any>> = [];
    for (let index = 0; index < 60; index += 1) syncAcks.push(emitWithAck(socket, 'room:sync', { rooms: [] }));
    const results = await Promise.all(syncAcks);
    expect(results.filter((ack) => ack.ok === false && ack.error.code === 'rate_limited').length).toBeGreaterThan(0);
    for (let index = 0; index < 100; index += 1) socket.emit('typing', { roomId: randomUUID(), isTyping: true });
    expect(await disconnected).toBe('io server disconnect');
  });
});

describe('service endpoints', () => {
  it('serves health, readiness and the OpenAPI document, and metrics on the admin port only', async () => {
    const base = cluster.instances[1]!.url;
    const admin = cluster.instances[1]!.adminUrl;
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${admin}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { postgres: 'ok', schema: 'ok', redis: 'ok' } });
    const user = await cluster.user('metrics');
    const socket = await cluster.connect(1, user);
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    for (const name of [
      'parley_socket_connected',
      'parley_socket_connects_total',
      'parley_socket_disconnects_total',
      'parley_messages_accepted_total',
      'parley_fanout_deliveries_total',
      'parley_message_ack_seconds',
      'parley_fanout_latency_seconds',
      'parley_adapter_errors_total',
      'parley_send_rate_limited_total',
      'parley_rooms_local',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(/parley_socket_connected\{[^}]*\} [1-9]/);
    socket.disconnect();
    const openapi = await fetch(`${base}/api/v1/rooms/openapi.json`);
    expect(openapi.status).toBe(200);
    const document = (await openapi.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/rooms/direct', '/api/v1/rooms/{id}/messages', '/api/v1/presence']));
  });

  it('counts fan-out deliveries and latency on each instance that writes a broadcast', async () => {
    const [a, b] = [await cluster.user('a'), await cluster.user('b')];
    const room = await cluster.api(0, 'POST', '/api/v1/rooms', { token: a.token, body: { name: 'fanout', memberIds: [b.id] } });
    const receiver = await cluster.connect(1, b);
    const inbox = collect(receiver, 'message:new');
    const sender = await cluster.connect(0, a);
    await emitWithAck(sender, 'message:send', { roomId: room.body.id, clientMsgId: randomUUID(), body: 'count me' });
    await eventually(() => expect(inbox).toHaveLength(1));
    const metrics = await (await fetch(`${cluster.instances[1]!.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/parley_fanout_deliveries_total\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/parley_fanout_latency_seconds_count\{[^}]*\} [1-9]/);
  });
});
