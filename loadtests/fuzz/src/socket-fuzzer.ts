import { io, type Socket } from 'socket.io-client';
import { SOCKET_EVENTS, UNKNOWN_EVENTS, type FuzzIdentity } from './api-surface.js';
import { hostileString, hostileValue } from './hostile-values.js';
import { mutatePayload, preview } from './payload-mutation.js';
import type { RandomSource } from './random-source.js';

export interface SocketCase {
  event: string;
  args: unknown[];
  /** Whether to wait for an ack (every acked event must answer every payload it gets with one). */
  expectAck: boolean;
  change: string;
}

export interface SocketOutcome {
  /** The ack's error code, `ok`, or undefined when no ack was expected. */
  ack?: string;
  /** The ack did not come (`timeout`), came malformed, or the socket dropped meanwhile. */
  error?: string;
  notSendable?: boolean;
  disconnected?: boolean;
}

export interface HandshakeCase {
  auth: unknown;
  /** The attacker's own valid token is in it, untouched (extra keys around it are fine). */
  carriesValidToken: boolean;
  change: string;
}

export interface HandshakeOutcome {
  /** `connect_error` data.code, or `connected` when a hostile handshake got in. */
  result: string;
}

/** One socket event of a run: a client event with a mutated payload, or something odder. */
export function buildSocketCase(identity: FuzzIdentity, random: RandomSource): SocketCase {
  const roll = random.int(0, 99);
  if (roll < 8) {
    const event = random.pick(UNKNOWN_EVENTS);
    return { event, args: [hostileValue(random)], expectAck: false, change: `unknown event ${preview(event)}` };
  }
  const template = random.pick(SOCKET_EVENTS);
  const mutated = mutatePayload(template.payload(identity, random), random);
  if (roll < 13) return { event: template.event, args: [Buffer.from(hostileString(random))], expectAck: template.acked, change: 'binary payload' };
  if (roll < 18) return { event: template.event, args: [], expectAck: template.acked, change: 'no payload' };
  if (roll < 23) return { event: template.event, args: [mutated.value, hostileValue(random)], expectAck: false, change: `${mutated.change}, and a second argument where the ack goes` };
  if (roll < 27) return { event: template.event, args: [mutated.value], expectAck: false, change: `${mutated.change}, without an ack callback` };
  return { event: template.event, args: [mutated.value], expectAck: template.acked, change: mutated.change };
}

/** A hostile handshake: what `auth` carries instead of `{ token }`. */
export function buildHandshakeCase(identity: FuzzIdentity, random: RandomSource): HandshakeCase {
  const auth = random.pick([
    { token: hostileString(random) },
    { token: hostileValue(random) },
    hostileValue(random),
    { token: `${identity.token}${hostileString(random)}` },
    { token: identity.token.split('.').reverse().join('.') },
    JSON.parse(`{"token": ${JSON.stringify(identity.token)}, "__proto__": {"admin": true}}`) as unknown,
  ]);
  const token = (auth as { token?: unknown } | null)?.token;
  // A JWT verifier may ignore spaces around a token: that is still the same token.
  const carriesValidToken = typeof token === 'string' && token.trim() === identity.token;
  return { auth, carriesValidToken, change: `auth ${preview(auth)}` };
}

/**
 * The attacker's socket for a run's events: connected lazily, connected again when the server
 * drops it (oversized frames and event floods are disconnected on purpose).
 */
export class SocketSession {
  private socket: Socket | undefined;
  disconnects = 0;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly origin: string | undefined,
  ) {}

  private async connected(): Promise<Socket> {
    if (this.socket?.connected) return this.socket;
    this.socket?.close();
    const socket = io(this.url, {
      auth: { token: this.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(this.origin ? { extraHeaders: { origin: this.origin } } : {}),
    });
    socket.on('disconnect', () => {
      this.disconnects += 1;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
    this.socket = socket;
    return socket;
  }

  async emit(testCase: SocketCase, timeoutMs: number): Promise<SocketOutcome> {
    const socket = await this.connected();
    const before = this.disconnects;
    try {
      if (!testCase.expectAck) {
        socket.emit(testCase.event, ...testCase.args);
        return {};
      }
      const ack: unknown = await socket.timeout(timeoutMs).emitWithAck(testCase.event, ...testCase.args);
      if (typeof ack !== 'object' || ack === null || typeof (ack as { ok?: unknown }).ok !== 'boolean') return { error: `malformed ack ${preview(ack)}` };
      if ((ack as { ok: boolean }).ok) return { ack: 'ok' };
      const code = (ack as { error?: { code?: unknown } }).error?.code;
      return typeof code === 'string' ? { ack: code } : { error: `ack without an error code ${preview(ack)}` };
    } catch (error) {
      // The server may drop a socket on purpose (oversized frame): that is not an unanswered event.
      if (this.disconnects > before || !socket.connected) return { disconnected: true };
      const message = (error as Error).message;
      if (/reserved event name/.test(message)) return { notSendable: true };
      return { error: message };
    }
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}

/** Opens a socket with a hostile handshake and reports how the server answered. */
export async function tryHandshake(url: string, origin: string | undefined, testCase: HandshakeCase, timeoutMs: number): Promise<HandshakeOutcome> {
  if (typeof testCase.auth !== 'object' || testCase.auth === null || Array.isArray(testCase.auth)) return { result: 'not sendable' };
  const socket = io(url, {
    auth: testCase.auth as Record<string, unknown>,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
    ...(origin ? { extraHeaders: { origin } } : {}),
  });
  try {
    return await new Promise<HandshakeOutcome>((resolve) => {
      const timer = setTimeout(() => resolve({ result: `no answer within ${timeoutMs} ms` }), timeoutMs);
      const settle = (outcome: HandshakeOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      socket.once('connect', () => settle({ result: 'connected' }));
      socket.once('connect_error', (error: Error & { data?: { code?: unknown } }) => {
        const code = error.data?.code;
        settle({ result: typeof code === 'string' ? code : `error: ${error.message}` });
      });
      // A handshake above the frame limit is not answered: the server closes the connection.
      // (`forced close` is the client's own, after a connect_error.)
      socket.io.on('close', (reason: string) => {
        if (reason !== 'forced close') settle({ result: 'closed by the server' });
      });
    });
  } finally {
    socket.close();
  }
}
