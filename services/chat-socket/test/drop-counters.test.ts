import { io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeSchema, sessionEndReasonSchema } from '@parley/contracts';
import { ACKED_SOCKET_EVENTS, CLIENT_EVENTS, DISCONNECT_REASONS, HANDSHAKE_REJECTION_REASONS } from '../src/observability/chat-metrics.js';
import { emitWithAck, eventually, nextEvent, startChatCluster, type ChatCluster, type ClientSocket } from './support/chat-cluster.js';

let cluster: ChatCluster;

beforeAll(async () => {
  cluster = await startChatCluster({
    label: 'chat_drops',
    instances: 1,
    env: { SOCKET_EVENTS_PER_SECOND: '5', SOCKET_EVENT_BURST: '10', SOCKET_FLOOD_DISCONNECT_AFTER: '20' },
  });
});

afterAll(async () => {
  await cluster?.close();
});

async function scrape(): Promise<string> {
  return (await fetch(`${cluster.instances[0]!.adminUrl}/metrics`)).text();
}

function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1], label[2]]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

function refusedHandshake(options: { auth?: unknown; origin?: string }): Promise<unknown> {
  const socket: ClientSocket = connectClient(cluster.instances[0]!.url, {
    auth: (options.auth ?? {}) as Record<string, unknown>,
    transports: ['websocket'],
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

describe('every known label value from the first scrape', () => {
  it('exposes each disconnect reason, event outcome, session-end reason, handshake rejection reason and flood-refused event at 0 on a fresh pod', async () => {
    const text = await scrape();
    const missing: string[] = [];
    const expectZero = (name: string, labels: Record<string, string>) => {
      if (valueOf(text, name, labels) !== 0) missing.push(`${name}${JSON.stringify(labels)}`);
    };
    for (const reason of DISCONNECT_REASONS) expectZero('parley_socket_disconnects_total', { reason });
    for (const event of ACKED_SOCKET_EVENTS) for (const outcome of ['ok', ...errorCodeSchema.options]) expectZero('parley_socket_events_total', { event, outcome });
    for (const reason of sessionEndReasonSchema.options) expectZero('parley_socket_sessions_ended_total', { reason });
    for (const reason of HANDSHAKE_REJECTION_REASONS) expectZero('parley_socket_handshake_rejections_total', { reason });
    for (const event of [...CLIENT_EVENTS, 'other']) expectZero('parley_socket_flood_refusals_total', { event });
    for (const statusClass of ['2xx', '3xx', '4xx', '5xx']) expectZero('parley_http_responses_total', { status_class: statusClass });
    for (const name of ['parley_socket_flood_disconnects_total', 'parley_send_rate_limited_total', 'parley_messages_accepted_total', 'parley_socket_connects_total']) expectZero(name, {});
    expect(missing).toEqual([]);
  });
});

describe('every drop is counted', () => {
  it('counts refused handshakes by reason: no token, a malformed auth payload, a forged token, a disallowed Origin, a malformed engine.io request', async () => {
    await refusedHandshake({ auth: {} });
    await refusedHandshake({ auth: { token: 'not-a-jwt' } });
    await refusedHandshake({ auth: { token: 42 } });
    await refusedHandshake({ auth: { token: 'x' }, origin: 'https://evil.example' });
    expect((await fetch(`${cluster.instances[0]!.url}/socket.io/?EIO=4&transport=carrier-pigeon`)).status).toBe(400);
    await eventually(async () => {
      const text = await scrape();
      expect(valueOf(text, 'parley_socket_handshake_rejections_total', { reason: 'unauthorized' })).toBe(2);
      expect(valueOf(text, 'parley_socket_handshake_rejections_total', { reason: 'invalid' })).toBe(2);
      expect(valueOf(text, 'parley_socket_handshake_rejections_total', { reason: 'origin' })).toBe(1);
    });
  });

  it('counts every event the flood guard drops, by event, and the socket it disconnects', async () => {
    const socket = await cluster.connect(0, await cluster.user('flood'));
    const disconnected = nextEvent<string>(socket, 'disconnect');
    const acks = await Promise.all(Array.from({ length: 20 }, () => emitWithAck(socket, 'room:sync', { rooms: [] })));
    const refusedSyncs = acks.filter((ack) => ack.ok === false && ack.error.code === 'rate_limited').length;
    expect(refusedSyncs).toBeGreaterThan(0);
    for (let index = 0; index < 40; index += 1) socket.emit('typing', { roomId: '1', isTyping: true });
    expect(await disconnected).toBe('io server disconnect');
    await eventually(async () => {
      const text = await scrape();
      expect(valueOf(text, 'parley_socket_flood_refusals_total', { event: 'room:sync' })).toBe(refusedSyncs);
      expect(valueOf(text, 'parley_socket_flood_refusals_total', { event: 'typing' })).toBeGreaterThan(0);
      expect(valueOf(text, 'parley_socket_flood_disconnects_total')).toBe(1);
    });
  });
});
