import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodePacket, encodePacket, type Packet, type PacketType as EngineType } from 'engine.io-parser';
import { Server } from 'socket.io';
import { Decoder, Encoder, PacketType, type Packet as SocketPacketShape } from 'socket.io-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  ackFrame,
  connectFrame,
  decodeEnginePacket,
  decodeSocketPacket,
  disconnectFrame,
  encodeEnginePacket,
  encodeSocketPacket,
  eventFrame,
  SocketIoSession,
  socketIoUrl,
  type EnginePacketType,
} from '../lib/socketio-protocol.js';

/** What the real socket.io-parser Decoder makes of a string. */
function realDecode(text: string): SocketPacketShape {
  const decoder = new Decoder();
  let decoded: SocketPacketShape | undefined;
  decoder.on('decoded', (packet: SocketPacketShape) => (decoded = packet));
  decoder.add(text);
  if (!decoded) throw new Error('the real decoder produced nothing');
  return decoded;
}

function realEncode(packet: SocketPacketShape): string {
  const [encoded, ...rest] = new Encoder().encode(packet);
  expect(rest).toEqual([]);
  return encoded as string;
}

function realEngineEncode(packet: Packet): string {
  let frame = '';
  encodePacket(packet, false, (encoded) => (frame = encoded as string));
  return frame;
}

const samples: Array<{ name: string; packet: SocketPacketShape }> = [
  { name: 'CONNECT with auth', packet: { type: PacketType.CONNECT, nsp: '/', data: { token: 'eyJhbGciOi.x.y' } } },
  { name: 'CONNECT without auth', packet: { type: PacketType.CONNECT, nsp: '/' } },
  { name: 'CONNECT to a namespace', packet: { type: PacketType.CONNECT, nsp: '/admin', data: { token: 't' } } },
  { name: 'CONNECT answer with sid', packet: { type: PacketType.CONNECT, nsp: '/', data: { sid: 'abc123' } } },
  { name: 'EVENT', packet: { type: PacketType.EVENT, nsp: '/', data: ['message:new', { id: '1', body: 'hé "quoted" ✓' }] } },
  { name: 'EVENT with ack id', packet: { type: PacketType.EVENT, nsp: '/', id: 42, data: ['message:send', { roomId: 'r', body: 'hi' }] } },
  { name: 'EVENT with ack id in a namespace', packet: { type: PacketType.EVENT, nsp: '/chat', id: 7, data: ['typing', { isTyping: true }] } },
  { name: 'ACK with id', packet: { type: PacketType.ACK, nsp: '/', id: 42, data: [{ ok: true, message: { id: '9' } }] } },
  { name: 'ACK with id 0 and an error', packet: { type: PacketType.ACK, nsp: '/', id: 0, data: [{ ok: false, error: { code: 'rate_limited' } }] } },
  { name: 'CONNECT_ERROR', packet: { type: PacketType.CONNECT_ERROR, nsp: '/', data: { message: 'no', data: { code: 'unauthorized' } } } },
  { name: 'DISCONNECT', packet: { type: PacketType.DISCONNECT, nsp: '/' } },
];

describe('socket.io framing (lib/socketio-protocol.js) against socket.io-parser', () => {
  for (const { name, packet } of samples) {
    it(`encodes ${name} exactly as the real Encoder does, and the real Decoder reads it back`, () => {
      const ours = encodeSocketPacket(packet);
      expect(ours).toBe(realEncode(packet));
      expect(realDecode(ours)).toEqual(packet);
    });

    it(`decodes the real Encoder's ${name}`, () => {
      expect(decodeSocketPacket(realEncode(packet))).toEqual(packet);
    });
  }

  it('rejects what the real Decoder rejects: reserved payload shapes, unknown types, broken JSON', () => {
    for (const text of ['2{"not":"an array"}', '9', '3{"x":1}', '2["x",', '0[1]']) {
      expect(() => realDecode(text)).toThrow();
      expect(() => decodeSocketPacket(text)).toThrow();
    }
  });

  it('refuses binary packets instead of framing them wrongly', () => {
    expect(() => encodeSocketPacket({ type: PacketType.BINARY_EVENT, nsp: '/', data: ['x'] })).toThrow(/binary/);
    expect(() => decodeSocketPacket('51-["x",{"_placeholder":true,"num":0}]')).toThrow(/binary/);
  });
});

describe('engine.io framing against engine.io-parser', () => {
  const types: EnginePacketType[] = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];
  for (const type of types) {
    it(`round-trips a ${type} packet both ways`, () => {
      const data = type === 'message' ? '2["x",1]' : type === 'open' ? '{"sid":"s","pingInterval":25000}' : type === 'ping' ? 'probe' : undefined;
      const ours = encodeEnginePacket(type, data);
      expect(ours).toBe(realEngineEncode({ type: type as EngineType, ...(data === undefined ? {} : { data }) }));
      expect(decodePacket(ours)).toEqual({ type, ...(data === undefined ? {} : { data }) });
      expect(decodeEnginePacket(realEngineEncode({ type: type as EngineType, ...(data === undefined ? {} : { data }) }))).toEqual({ type, ...(data === undefined ? {} : { data }) });
    });
  }

  it('nests socket.io packets in message frames: CONNECT with auth, EVENT with ack, ACK, DISCONNECT', () => {
    expect(connectFrame({ token: 't' })).toBe(`4${realEncode({ type: PacketType.CONNECT, nsp: '/', data: { token: 't' } })}`);
    expect(eventFrame('message:send', [{ a: 1 }], 3)).toBe('423["message:send",{"a":1}]');
    expect(ackFrame(3, [{ ok: true }])).toBe('433[{"ok":true}]');
    expect(disconnectFrame()).toBe('41');
    expect(decodePacket(eventFrame('x', [], 1))).toEqual({ type: 'message', data: '21["x"]' });
  });

  it('builds the WebSocket URL of a socket.io server from an http(s) base URL', () => {
    expect(socketIoUrl('http://localhost:8080')).toBe('ws://localhost:8080/socket.io/?EIO=4&transport=websocket');
    expect(socketIoUrl('https://chat.example.com/')).toBe('wss://chat.example.com/socket.io/?EIO=4&transport=websocket');
  });
});

describe('SocketIoSession against a real socket.io server over a WebSocket', () => {
  let http: HttpServer;
  let io: Server;
  let url: string;
  const serverDisconnects: string[] = [];

  beforeAll(async () => {
    http = createServer();
    // Short ping interval: the session must answer pings or the server drops it.
    io = new Server(http, { pingInterval: 100, pingTimeout: 200, transports: ['websocket'] });
    io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: string }).token;
      if (token === 'good') next();
      else next(Object.assign(new Error('bad token'), { data: { code: 'unauthorized' } }));
    });
    io.on('connection', (socket) => {
      socket.emit('welcome', { sid: socket.id });
      socket.on('echo', (payload: unknown, ack: (reply: unknown) => void) => ack({ ok: true, payload }));
      socket.on('kick-me', () => socket.disconnect(true));
      socket.on('ask-me', (_payload: unknown, ack: (reply: unknown) => void) =>
        socket.emit('question', 'ping?', (answer: unknown) => ack({ answer })),
      );
      socket.on('disconnect', (reason) => serverDisconnects.push(reason));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    url = socketIoUrl(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => io.close(() => resolve()));
  });

  function open(token: string) {
    const events: Array<[string, unknown[]]> = [];
    const log: string[] = [];
    const ws = new WebSocket(url);
    const session = new SocketIoSession({
      send: (frame) => ws.send(frame),
      auth: () => ({ token }),
      handlers: {
        onConnect: (sid) => log.push(`connect ${sid}`),
        onConnectError: (data) => log.push(`connect_error ${JSON.stringify(data)}`),
        onEvent: (event, args, ack) => {
          events.push([event, args]);
          if (event === 'question') ack?.('pong!');
        },
        onDisconnect: (reason) => log.push(`disconnect ${reason}`),
      },
    });
    ws.on('message', (data) => session.receive(data.toString()));
    ws.on('close', () => session.closed('transport close'));
    return { ws, session, events, log };
  }

  const until = async (condition: () => boolean, timeoutMs = 3_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('connects with auth, receives events, gets acks, and answers pings so the server keeps it', async () => {
    const client = open('good');
    await until(() => client.session.connected);
    expect(client.session.sid).toBeTruthy();
    await until(() => client.events.length > 0);
    expect(client.events[0]).toEqual(['welcome', [{ sid: client.session.sid }]]);

    const reply = await new Promise<unknown[]>((resolve, reject) =>
      client.session.emitWithAck('echo', [{ n: 1 }], (error, ...args) => (error ? reject(error) : resolve(args))),
    );
    expect(reply).toEqual([{ ok: true, payload: { n: 1 } }]);

    // Several ping intervals later the server has not dropped us.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(client.session.connected).toBe(true);
    const again = await new Promise<unknown[]>((resolve, reject) =>
      client.session.emitWithAck('echo', ['second'], (error, ...args) => (error ? reject(error) : resolve(args))),
    );
    expect(again).toEqual([{ ok: true, payload: 'second' }]);
    client.ws.close();
  });

  it('acknowledges events the server sends with an ack id', async () => {
    const client = open('good');
    await until(() => client.session.connected);
    const reply = await new Promise<unknown[]>((resolve, reject) =>
      client.session.emitWithAck('ask-me', [{}], (error, ...args) => (error ? reject(error) : resolve(args))),
    );
    expect(reply).toEqual([{ answer: 'pong!' }]);
    client.ws.close();
  });

  it('reports connect_error with the server data for a refused handshake', async () => {
    const client = open('bad');
    await until(() => client.log.length > 0);
    expect(client.log[0]).toBe('connect_error {"message":"bad token","data":{"code":"unauthorized"}}');
    expect(client.session.connected).toBe(false);
    client.ws.close();
  });

  it('reports a server-side disconnect and fails pending acks', async () => {
    const client = open('good');
    await until(() => client.session.connected);
    const pending = new Promise<Error | null>((resolve) => client.session.emitWithAck('never-acked', [], (error) => resolve(error)));
    client.session.emit('kick-me');
    await until(() => client.log.some((line) => line.startsWith('disconnect')));
    expect(client.log).toContain('disconnect io server disconnect');
    expect((await pending)?.message).toBe('io server disconnect');
    client.ws.close();
  });

  it('disconnects cleanly from the client side (the server sees a namespace disconnect)', async () => {
    const client = open('good');
    await until(() => client.session.connected);
    serverDisconnects.length = 0;
    client.session.disconnect();
    client.ws.close();
    await until(() => serverDisconnects.length > 0);
    expect(serverDisconnects[0]).toBe('client namespace disconnect');
  });
});
