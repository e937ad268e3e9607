import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus } from './connection-status';
import { FakeChatSocket } from '../test-support/fake-chat-socket';
import { ChatConnection } from './chat-connection';

class FakeWindow extends EventTarget {}

let socket: FakeChatSocket;
let window: FakeWindow;
let statuses: ConnectionStatus[];
let connected: number;
let renew: ReturnType<typeof vi.fn<() => Promise<boolean>>>;
let connection: ChatConnection;

beforeEach(() => {
  vi.useFakeTimers();
  socket = new FakeChatSocket();
  window = new FakeWindow();
  statuses = [];
  connected = 0;
  renew = vi.fn(async () => true);
  connection = new ChatConnection(
    socket.asSocket(),
    { status: (status) => statuses.push(status), connected: () => (connected += 1), renewToken: renew },
    window,
  );
  connection.start();
});

afterEach(() => {
  connection.stop();
  vi.useRealTimers();
});

describe('the chat connection', () => {
  it('connects at start and reports online, then each reconnection so missed messages can be synced', () => {
    expect(socket.connects).toBe(1);
    socket.serverAccepts();
    expect(statuses.at(-1)).toBe('online');
    socket.networkDrops();
    expect(statuses.at(-1)).toBe('offline');
    socket.serverAccepts();
    expect(connected).toBe(2);
  });

  it('on server:reconnect disconnects at once and reconnects after the delay it was given', async () => {
    socket.serverAccepts();
    socket.serverEmits('server:reconnect', { reason: 'shutdown', delayMs: 1_500 });
    expect(socket.disconnects).toBe(1);
    expect(statuses.at(-1)).toBe('offline');
    await vi.advanceTimersByTimeAsync(1_400);
    expect(socket.connects).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(socket.connects).toBe(2);
  });

  it('goes offline with the browser and reconnects when the browser is back online', async () => {
    socket.serverAccepts();
    window.dispatchEvent(new Event('offline'));
    expect(statuses.at(-1)).toBe('offline');
    expect(socket.connected).toBe(false);
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.connects).toBe(2);
  });

  it('renews the access token when the handshake is refused as unauthorized, then reconnects', async () => {
    const refused = Object.assign(new Error('An access token is required'), { data: { code: 'unauthorized' } });
    socket.serverEmits('connect_error', refused);
    await vi.advanceTimersByTimeAsync(0);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(socket.connects).toBe(2);
  });

  it('stops trying once the session is over (the token cannot be renewed)', async () => {
    renew.mockResolvedValue(false);
    socket.serverEmits('connect_error', Object.assign(new Error('expired'), { data: { code: 'unauthorized' } }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(socket.connects).toBe(1);
  });

  it('retries with backoff when the server refuses for another reason (draining)', async () => {
    socket.serverEmits('connect_error', Object.assign(new Error('shutting down'), { data: { code: 'unavailable' } }));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(socket.connects).toBe(2);
    expect(renew).not.toHaveBeenCalled();
  });

  it('leaves retrying a transport failure to socket.io itself', async () => {
    socket.active = true;
    socket.serverEmits('connect_error', new Error('xhr poll error'));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(socket.connects).toBe(1);
  });

  it('hands a renewed access token to the connected socket with auth:refresh, and stays connected when it is taken', async () => {
    socket.serverAccepts();
    socket.onAck('auth:refresh', () => ({ ok: true, expiresAt: 2_000_000_000 }));
    connection.handOverToken('renewed');
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.emittedOf('auth:refresh')).toEqual([{ token: 'renewed' }]);
    expect(socket.disconnects).toBe(0);
  });

  it('reconnects (presenting the renewed token) when the socket refuses it, e.g. a token of a new session', async () => {
    socket.serverAccepts();
    socket.onAck('auth:refresh', () => ({ ok: false, error: { code: 'forbidden', message: 'The token belongs to another session' } }));
    connection.handOverToken('of another session');
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.disconnects).toBe(1);
    expect(socket.connects).toBe(2);
  });

  it('hands nothing to a socket that is not connected (its next handshake presents the token)', async () => {
    connection.handOverToken('renewed');
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.emittedOf('auth:refresh')).toEqual([]);
  });
});
