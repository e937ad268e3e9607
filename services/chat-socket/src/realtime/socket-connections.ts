import { RateLimitedError, toAckError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import { eventLabel, type ChatMetrics } from '../observability/chat-metrics.js';
import { roomChannel, userChannel } from './channels.js';
import { ackedSocketEvent, stampFrameArrival, type AckedSocketEvent } from './socket-ack.js';
import type { AckedRoute, ClientEventName, SignalRoute, SocketEventTable, SocketLifecycle } from './socket-event-routes.js';
import type { RecentMembershipChanges } from './recent-membership-changes.js';
import type { SocketSessions } from './socket-sessions.js';
import type { ChatServer, ChatSocket } from './socket-types.js';

export interface SocketConnectionSettings {
  io: ChatServer;
  /** What each client event does (socket-event-table.ts at the top of the service). */
  routes: SocketEventTable;
  lifecycle: SocketLifecycle;
  sessions: SocketSessions;
  /** Membership changes applied while a socket was in its handshake (joined or left on connect). */
  membershipChanges: RecentMembershipChanges;
  metrics: ChatMetrics;
  logger: Logger;
  floodGuard: FloodGuardSettings;
  /** True once the instance was aborted (crash simulation): no goodbyes are written. */
  aborted(): boolean;
}

type AnyRoute = AckedRoute<unknown, object> | SignalRoute<unknown>;
/** A listener shared by every socket: socket.io calls it with the socket as `this`. */
type SharedListener = (this: ChatSocket, payload: unknown, ack?: unknown) => void;

/** The socket plumbing of the routes: session check, flood guard, ack and error mapping, metrics. */
export function handleSocketConnections(settings: SocketConnectionSettings): void {
  const { io, logger, metrics, sessions, lifecycle } = settings;

  const observed = { logger, metrics };
  const floodGuard: FloodGuardSettings = {
    ...settings.floodGuard,
    onRefused: (event) => metrics.floodRefusals.inc({ event: eventLabel(event) }),
    onDisconnect: () => {
      metrics.floodDisconnects.inc();
      settings.floodGuard.onDisconnect?.();
    },
  };

  // Built once per server: each socket only holds these shared listeners, which pass the socket
  // in (a few hundred bytes less per idle socket than closures made per connection). Every event
  // first passes the session check (an ended session or an expired token closes the socket).
  const listeners = (Object.entries(settings.routes) as Array<[ClientEventName, AnyRoute]>).map(([event, route]): [ClientEventName, SharedListener] => {
    if ('handle' in route) {
      const acked: AckedSocketEvent = ackedSocketEvent({ ...observed, event }, route.schema, (socket, payload, received) => route.handle(socket, payload, received));
      return [
        event,
        function onAcked(this: ChatSocket, payload: unknown, ack?: unknown): void {
          sessions.whenActive(this, ack, () => acked(this, payload, ack));
        },
      ];
    }
    return [
      event,
      function onSignal(this: ChatSocket, payload: unknown): void {
        sessions.whenActive(this, undefined, () => {
          const parsed = route.schema.safeParse(payload);
          if (parsed.success) route.signal(this, parsed.data);
        });
      },
    ];
  });

  function onDisconnect(this: ChatSocket, reason: string): void {
    metrics.socketDisconnects.inc({ reason });
    if (settings.aborted()) return;
    lifecycle.disconnected(this);
  }

  io.on('connection', (socket: ChatSocket) => {
    const { userId } = socket.data;
    metrics.socketConnects.inc();
    const roomIds = settings.membershipChanges.correct(userId, socket.data.roomIds, socket.data.roomIdsReadAt);
    socket.join([userChannel(userId), ...roomIds.map(roomChannel)]);
    socket.data.roomIds = [];
    lifecycle.connected(socket);

    // First: the arrival stamp must be taken while socket.io decodes the frame.
    socket.use(stampFrameArrival);
    installFloodGuard(socket, floodGuard);
    // The listeners are typed by the route table; socket.io's overloads need one literal event name.
    const on = socket.on.bind(socket) as (event: string, listener: (...args: never[]) => void) => void;
    for (const [event, listener] of listeners) on(event, listener);
    socket.on('disconnect', onDisconnect);
    sessions.admit(socket);
  });
}

export interface FloodGuardSettings {
  eventsPerSecond: number;
  burst: number;
  /** Dropped events within the window after which the socket is disconnected. */
  disconnectAfter: number;
  windowMs?: number;
  onDisconnect?: () => void;
  /** Called with the name of every event the guard drops (counted: every drop is seen). */
  onRefused?: (event: unknown) => void;
}

/**
 * A local token bucket over all events of one socket. Over-limit events are dropped (acked
 * `rate_limited` when they carry an ack); a socket that keeps flooding is disconnected.
 */
export function installFloodGuard(socket: ChatSocket, settings: FloodGuardSettings): void {
  const windowMs = settings.windowMs ?? 10_000;
  let tokens = settings.burst;
  let refilledAt = Date.now();
  let dropped = 0;
  let windowStart = refilledAt;

  socket.use((event, next) => {
    const now = Date.now();
    tokens = Math.min(settings.burst, tokens + ((now - refilledAt) * settings.eventsPerSecond) / 1000);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      next();
      return;
    }
    if (now - windowStart > windowMs) {
      windowStart = now;
      dropped = 0;
    }
    dropped += 1;
    settings.onRefused?.(event[0]);
    const ack = event.at(-1);
    if (typeof ack === 'function') (ack as (result: unknown) => void)(toAckError(new RateLimitedError(1, 'Too many events, slow down')));
    if (dropped >= settings.disconnectAfter && socket.connected) {
      settings.onDisconnect?.();
      socket.disconnect(true);
    }
  });
}
