import type { Socket as NetSocket } from 'node:net';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { socketAuthSchema } from '@parley/contracts';
import type { AccessTokenVerifier } from '@parley/auth-middleware';
import { toAppError, UnauthorizedError } from '@parley/errors';
import { socketIoAdapterChannelPrefix } from '@parley/keyspace';
import type { Logger } from '@parley/logger';
import { closeRedis, createRedis, type Redis } from '@parley/redis';
import { inSpan, parleyTracer, SpanKind } from '@parley/tracing';
import type { ChatMetrics, HandshakeRejectionReason } from '../observability/chat-metrics.js';
import type { ChatServer } from './socket-types.js';

const tracer = parleyTracer('chat-socket');

/** engine.io's `connection_error` code for a request `allowRequest` refused (the Origin check). */
const FORBIDDEN_ENGINE_CODE = 4;

/** Socket frames above this are refused (the connection is closed). */
export const MAX_FRAME_BYTES = 16_384;

export interface SocketServerSettings {
  redisUrl: string;
  redisKeyPrefix: string;
  adapter: 'sharded' | 'classic';
  corsOrigins: string[];
  verifier: AccessTokenVerifier;
  /** Rooms the user belongs to, joined on connect. */
  roomIdsOf(userId: string): Promise<string[]>;
  /** False while draining: new handshakes are refused (`unavailable`) so clients go elsewhere. */
  accepting(): boolean;
  logger: Logger;
  metrics: () => ChatMetrics;
}

export interface SocketServer {
  io: ChatServer;
  /** The adapter's subscriber connection (MembershipSync pings behind its subscriptions). */
  adapterSubscriber: Redis;
  close(): Promise<void>;
  /** Drops the adapter connections without goodbyes (crash simulation). */
  abort(): void;
}

/**
 * The socket.io server: Redis adapter for cross-pod fan-out (sharded pub/sub by default),
 * Origin allow-list checked on the raw request (CORS does not protect a WebSocket upgrade;
 * no Origin = a non-browser client, allowed), 16 KB frames, and a handshake that requires an
 * access token of a live session in `auth.token` (`connect_error` with `data.code =
 * 'unauthorized'` otherwise).
 */
export function createSocketServer(settings: SocketServerSettings): SocketServer {
  // No auto-pipelining here (see createRedis): one write per broadcast costs less than the
  // old-generation growth that ioredis Pipelines cause.
  const publisher = createRedis({ url: settings.redisUrl, name: 'chat-socket-adapter-pub', logger: settings.logger });
  // On a Redis Cluster: one subscriber connection per primary, each SSUBSCRIBEd to the room
  // channels of its slots (ioredis moves them when a failover moves the slots).
  const subscriber = createRedis({
    url: settings.redisUrl,
    name: 'chat-socket-adapter-sub',
    logger: settings.logger,
    maxRetriesPerRequest: null,
    shardedSubscribers: settings.adapter === 'sharded',
  });
  for (const connection of [publisher, subscriber]) connection.on('error', () => settings.metrics().adapterErrors.inc());
  for (const connection of [publisher, subscriber]) guardFireAndForget(connection, () => settings.metrics().adapterErrors.inc());

  const channelPrefix = socketIoAdapterChannelPrefix(settings.redisKeyPrefix);
  const adapter =
    settings.adapter === 'sharded'
      ? createShardedAdapter(publisher, subscriber, { channelPrefix, subscriptionMode: 'dynamic' })
      : createAdapter(publisher, subscriber, { key: channelPrefix, requestsTimeout: 3_000 });

  const allowed = new Set(settings.corsOrigins);
  const io: ChatServer = new Server({
    adapter,
    serveClient: false,
    // Clients try WebSocket first; long-polling stays as a fallback (needs sticky sessions, see README).
    transports: ['websocket', 'polling'],
    maxHttpBufferSize: MAX_FRAME_BYTES,
    cors: { origin: [...allowed], credentials: true },
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, origin === undefined || allowed.has(origin));
    },
    pingInterval: 25_000,
    pingTimeout: 20_000,
    connectTimeout: 10_000,
  });

  const rejected = (reason: HandshakeRejectionReason, detail: Record<string, unknown> = {}) => {
    settings.metrics().handshakeRejections.inc({ reason });
    // No token, address or user agent: the reason is what an operator acts on.
    settings.logger.info({ reason, ...detail }, 'socket handshake rejected');
  };
  // Each handshake is a span of its own (token check, the member's rooms from PostgreSQL).
  io.use((socket, next) => {
    void inSpan(tracer, 'socket connect', { root: true, kind: SpanKind.SERVER, attributes: { 'messaging.system': 'socket.io' } }, async (span) => {
      if (!settings.accepting()) {
        span.setAttribute('parley.outcome', 'unavailable');
        rejected('unavailable', { cause: 'draining' });
        next(handshakeError('unavailable', 'This server is shutting down, reconnect'));
        return;
      }
      const auth = socketAuthSchema.safeParse(socket.handshake.auth);
      if (!auth.success) {
        // No token at all is a signed-out client; anything else malformed is `invalid`.
        const reason = (socket.handshake.auth as { token?: unknown } | undefined)?.token === undefined ? 'unauthorized' : 'invalid';
        span.setAttribute('parley.outcome', reason);
        rejected(reason, { cause: 'auth payload' });
        next(handshakeError('unauthorized', 'An access token is required in auth.token'));
        return;
      }
      try {
        const principal = await settings.verifier.verify(auth.data.token);
        // Within the verifier's clock tolerance, but a socket is closed once its token expires.
        if (principal.expiresAt <= Date.now() / 1000) throw new UnauthorizedError('The access token expired');
        socket.data.userId = principal.userId;
        socket.data.username = principal.username;
        socket.data.sessionId = principal.sessionId;
        socket.data.issuedAt = principal.issuedAt;
        socket.data.expiresAt = principal.expiresAt;
        socket.data.roomIdsReadAt = Date.now();
        socket.data.roomIds = await settings.roomIdsOf(principal.userId);
        // The token is not needed after the handshake (its session and expiry are kept above);
        // not keeping it saves half a KB per idle socket.
        socket.handshake.auth = {};
        span.setAttributes({ 'parley.outcome': 'ok', 'parley.user.id': principal.userId });
        next();
      } catch (error) {
        const appError = toAppError(error);
        span.setAttribute('parley.outcome', appError.code);
        if (appError.code === 'unauthorized') {
          rejected('unauthorized', { cause: appError.message });
          next(handshakeError('unauthorized', appError.message));
        } else {
          settings.metrics().handshakeRejections.inc({ reason: 'unavailable' });
          settings.logger.warn({ err: error, reason: 'unavailable' }, 'socket handshake failed');
          next(handshakeError('unavailable', 'Cannot accept connections right now, try again shortly'));
        }
      }
    });
  });

  return {
    io,
    adapterSubscriber: subscriber,
    async close() {
      // Not attached to an HTTP server (a start that failed part-way): socket.io has no engine to
      // close and its close() would reject after closing the adapters, never calling back.
      if ((io as { engine?: unknown }).engine === undefined) await io.close().catch(() => undefined);
      else {
        await new Promise<void>((resolve) => {
          void io.close(() => resolve());
        });
      }
      await Promise.all([closeRedis(publisher), closeRedis(subscriber)]);
    },
    abort() {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/**
 * The adapters publish and (un)subscribe without always awaiting the command; when the
 * connection drops (Redis outage, shutdown) those promises would reject unhandled and take the
 * process down. Count such failures instead (ioredis resubscribes on reconnect by itself).
 */
function guardFireAndForget(connection: Redis, onError: () => void): void {
  const methods = ['publish', 'spublish', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe'] as const;
  const target = connection as unknown as Record<(typeof methods)[number], (...args: unknown[]) => Promise<unknown>>;
  for (const method of methods) {
    const original = target[method].bind(connection);
    target[method] = (...args: unknown[]) => {
      const pending = original(...args);
      pending.catch(onError);
      return pending;
    };
  }
}

function handshakeError(code: string, message: string): Error & { data: { code: string } } {
  return Object.assign(new Error(message), { data: { code } });
}

/**
 * Counts (and logs) what engine.io refuses before socket.io sees a connection: the Origin check
 * (allowRequest) as `origin`, malformed requests (unknown transport or session id, bad method or
 * protocol version) as `invalid`. Call after `io.attach()` (the engine exists from then on).
 */
export function countEngineRejections(io: ChatServer, metrics: () => ChatMetrics, logger: Logger): void {
  io.engine.on('connection_error', (error: { code?: number; message?: string }) => {
    const reason: HandshakeRejectionReason = error.code === FORBIDDEN_ENGINE_CODE ? 'origin' : 'invalid';
    metrics().handshakeRejections.inc({ reason });
    logger.info({ reason, engineCode: error.code, engineMessage: error.message }, 'socket handshake rejected');
  });
}

/**
 * engine.io keeps each connection's HTTP request for the connection's life (on the socket and
 * through its upgrade response, below), and nothing here reads it after the handshake (the
 * Origin check runs before): drop both references so the request, its headers and query can
 * be collected, as socket.io's memory-usage guide advises. Call after `io.attach()`.
 */
export function releaseHandshakeRequests(io: ChatServer): void {
  io.engine.on('connection', (rawSocket: RawEngineSocket) => {
    rawSocket.request = null;
    releaseUpgradeResponse(rawSocket.transport);
    // Only a long-polling connection can still upgrade (and get an upgrade response of its own).
    if (rawSocket.transport.name === 'polling') rawSocket.once('upgrade', releaseUpgradeResponse);
  });
}

/**
 * engine.io answers each WebSocket upgrade with a stand-in response object that relays the TCP
 * socket's `close` to itself (for Express-style middlewares, none here) and holds the upgrade
 * request: ~1.3 KB per idle socket for as long as it is connected. Dropping that relay frees
 * both. The relay is recognised by its source; a test fails if an engine.io update changes it.
 */
const UPGRADE_RESPONSE_CLOSE_RELAY = '() => this.emit("close")';

function releaseUpgradeResponse(transport: RawEngineSocket['transport']): void {
  const tcp = transport.socket?._socket;
  if (!tcp) return;
  for (const listener of tcp.listeners('close')) {
    if (Function.prototype.toString.call(listener) === UPGRADE_RESPONSE_CLOSE_RELAY) tcp.removeListener('close', listener as (...args: unknown[]) => void);
  }
}

interface RawEngineSocket {
  request: unknown;
  /** A WebSocket transport's `socket` is the `ws` connection, whose `_socket` is the TCP socket. */
  transport: { name: string; socket?: { _socket?: NetSocket } };
  once(event: 'upgrade', listener: (transport: RawEngineSocket['transport']) => void): void;
}
