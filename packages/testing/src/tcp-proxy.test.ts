import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until as pollUntil } from './fault-rig.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/**
 * The proxy the partition tests put between a service and Redis or PostgreSQL, against a real
 * echo server: what passes, what a cut, a silent partition and a delay do to open and new
 * connections, and that healing lets everything through again in order.
 */
let echo: Server;
let echoPort: number;
let proxy: TcpProxy;
const sockets: Socket[] = [];

beforeAll(async () => {
  echo = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await proxy?.close();
});

/** A client of the proxy that collects what comes back and how the connection ended. */
function client(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  let error: NodeJS.ErrnoException | undefined;
  let closed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', (thrown: NodeJS.ErrnoException) => (error = thrown));
  socket.on('close', () => (closed = true));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    socket,
    connected,
    received: () => received,
    error: () => error,
    closed: () => closed,
  };
}

const until = (check: () => boolean, timeoutMs = 5_000) => pollUntil(check, timeoutMs, 10);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startTcpProxy', () => {
  it('forwards both ways while open', async () => {
    proxy = await startTcpProxy({ target: { port: echoPort } });
    const one = client(proxy.port);
    await one.connected;
    one.socket.write('hello through the proxy');
    expect(await until(() => one.received() === 'hello through the proxy')).toBe(true);
    expect(proxy.mode()).toBe('open');
    expect(proxy.connectionCount()).toBe(1);
  });

  it('cut: resets open connections and refuses new ones until restored', async () => {
    proxy = await startTcpProxy({ target: { port: echoPort } });
    const before = client(proxy.port);
    await before.connected;
    await until(() => proxy.connectionCount() === 1);
    proxy.cut();
    expect(await until(() => before.closed())).toBe(true);
    expect(before.error()?.code).toBe('ECONNRESET');
    expect(proxy.connectionCount()).toBe(0);

    const during = client(proxy.port);
    expect(await until(() => during.closed())).toBe(true);
    expect(during.received()).toBe('');

    proxy.restore();
    const after = client(proxy.port);
    await after.connected;
    after.socket.write('healed');
    expect(await until(() => after.received() === 'healed')).toBe(true);
  });

  it('blackhole: keeps connections open but silent, then delivers what was held, in order, on restore', async () => {
    proxy = await startTcpProxy({ target: { port: echoPort } });
    const open = client(proxy.port);
    await open.connected;
    open.socket.write('a');
    expect(await until(() => open.received() === 'a')).toBe(true);

    proxy.blackhole();
    open.socket.write('b');
    open.socket.write('c');
    // A new connection is accepted (no refusal to notice) and equally silent.
    const fresh = client(proxy.port);
    await fresh.connected;
    fresh.socket.write('x');
    await pause(300);
    expect(open.received()).toBe('a');
    expect(fresh.received()).toBe('');
    expect(open.closed() || fresh.closed()).toBe(false);

    proxy.restore();
    expect(await until(() => open.received() === 'abc' && fresh.received() === 'x')).toBe(true);
    open.socket.write('d');
    expect(await until(() => open.received() === 'abcd')).toBe(true);
  });

  it('delay: holds each chunk at least the delay both ways, loses and reorders nothing, and lifts when set to 0', async () => {
    proxy = await startTcpProxy({ target: { port: echoPort } });
    proxy.delay(100);
    const one = client(proxy.port);
    await one.connected;
    const sentAt = Date.now();
    const parts = Array.from({ length: 50 }, (_, index) => `${index};`);
    for (const part of parts) one.socket.write(part);
    expect(await until(() => one.received() === parts.join(''))).toBe(true);
    // There and back: two delays at least (a lower bound setTimeout guarantees, not a speed).
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(190);

    one.socket.write('late;');
    proxy.delay(0);
    one.socket.write('now;');
    expect(await until(() => one.received().endsWith('late;now;'))).toBe(true);
  });

  it('close: ends every connection and stops listening', async () => {
    proxy = await startTcpProxy({ target: { port: echoPort } });
    const one = client(proxy.port);
    await one.connected;
    await proxy.close();
    expect(await until(() => one.closed())).toBe(true);
    const refused = client(proxy.port);
    expect(await until(() => refused.error() !== undefined)).toBe(true);
    expect(refused.error()?.code).toBe('ECONNREFUSED');
    proxy = await startTcpProxy({ target: { port: echoPort } });
  });
});
