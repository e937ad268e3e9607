import type { AuthRefreshResult, SessionEndReason, UserSessionsRevokedEvent } from '@parley/contracts';
import type { AccessTokenVerifier, SessionClaims, SessionRevocations } from '@parley/auth-middleware';
import { ForbiddenError, toAckError, UnauthorizedError, UnavailableError, type AppError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import { userChannel } from './channels.js';
import type { ChatServer, ChatSocket, SocketData } from './socket-types.js';

export interface SocketSessionSettings {
  io: ChatServer;
  verifier: AccessTokenVerifier;
  revocations: SessionRevocations;
  metrics: ChatMetrics;
  logger: Logger;
  /** How often sockets are looked over for an expired access token. */
  expiryCheckMs?: number;
}

const DEFAULT_EXPIRY_CHECK_MS = 1_000;
/** Sessions re-checked in Redis at once after the revocation channel was lost and is back. */
const RECHECK_CONCURRENCY = 20;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sessionOf = (data: SocketData): SessionClaims => ({ userId: data.userId, sessionId: data.sessionId, issuedAt: data.issuedAt });

/**
 * Holds every socket to the session and access token it connected with, on every event and not
 * only at the handshake: a socket whose session was revoked (logout, logout-all, password reset,
 * role change: heard on the revocation channel) or whose token expired without `auth:refresh`
 * gets `session:ended {reason}` and is closed. Per event this costs a clock read and a Map lookup
 * (SessionRevocations.checkLocally); only while the revocation channel is down does an event
 * wait for Redis.
 */
export class SocketSessions {
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly settings: SocketSessionSettings) {}

  start(): void {
    const { revocations } = this.settings;
    revocations.onRevoked((event) => this.endRevoked(event));
    revocations.onResubscribed(() => {
      this.recheckAll().catch((error: unknown) => this.settings.logger.warn({ err: error }, 'cannot re-check the sessions of local sockets'));
    });
    this.expiryTimer = setInterval(() => this.endExpired(), this.settings.expiryCheckMs ?? DEFAULT_EXPIRY_CHECK_MS);
    this.expiryTimer.unref();
  }

  stop(): void {
    clearInterval(this.expiryTimer);
  }

  /**
   * A socket that just connected: a revocation heard after its handshake was checked (and
   * before it joined its user's channel, where `endRevoked` looks) ends it now.
   */
  admit(socket: ChatSocket): void {
    this.whenActive(socket, undefined, () => undefined);
  }

  /**
   * Runs `proceed` while the socket's session is on. Otherwise answers the event's ack (if it
   * has one) with `unauthorized` and ends the socket; `unavailable` when Redis cannot tell.
   */
  whenActive(socket: ChatSocket, ack: unknown, proceed: () => void): void {
    const { data } = socket;
    if (data.expiresAt <= nowSeconds()) return this.refuse(socket, ack, 'expired');
    const local = this.settings.revocations.checkLocally(sessionOf(data));
    if (local === null) return proceed();
    if (local) return this.refuse(socket, ack, local);
    this.settings.revocations.check(sessionOf(data)).then(
      (reason) => (reason ? this.refuse(socket, ack, reason) : proceed()),
      (error: unknown) => {
        this.settings.logger.warn({ err: error, userId: data.userId }, 'cannot check a socket session');
        reply(ack, new UnavailableError('Cannot check the session right now, try again shortly'));
      },
    );
  }

  /** `auth:refresh`: a renewed access token of the same user and session keeps the socket open past the old one's expiry. */
  async refresh(socket: ChatSocket, token: string): Promise<AuthRefreshResult> {
    const principal = await this.settings.verifier.verify(token);
    const { data } = socket;
    if (principal.userId !== data.userId || principal.sessionId !== data.sessionId) {
      throw new ForbiddenError('The token belongs to another session; reconnect with it instead');
    }
    if (principal.expiresAt > data.expiresAt) {
      data.expiresAt = principal.expiresAt;
      data.issuedAt = principal.issuedAt;
    }
    return { expiresAt: data.expiresAt };
  }

  /** Tells the client why, then closes the connection. */
  end(socket: ChatSocket, reason: SessionEndReason): void {
    if (!socket.connected) return;
    this.settings.metrics.socketSessionsEnded.inc({ reason });
    socket.emit('session:ended', { reason });
    socket.disconnect(true);
  }

  private refuse(socket: ChatSocket, ack: unknown, reason: SessionEndReason): void {
    reply(ack, new UnauthorizedError(reason === 'expired' ? 'The access token expired; reconnect with a fresh one' : 'The session has ended; sign in again'));
    this.end(socket, reason);
  }

  /** The sockets of a revoked session (or of every session of the user issued before `notBefore`) on this pod. */
  private endRevoked(event: UserSessionsRevokedEvent): void {
    const ids = this.settings.io.of('/').adapter.rooms.get(userChannel(event.userId));
    if (!ids) return;
    const sockets = this.settings.io.of('/').sockets;
    for (const id of [...ids]) {
      const socket = sockets.get(id);
      if (!socket) continue;
      const { sessionId, issuedAt } = socket.data;
      if (sessionId === event.sessionId || (event.notBefore !== undefined && issuedAt < event.notBefore)) this.end(socket, event.reason);
    }
  }

  private endExpired(): void {
    const now = nowSeconds();
    for (const socket of this.settings.io.of('/').sockets.values()) {
      if (socket.data.expiresAt <= now) this.end(socket, 'expired');
    }
  }

  /** Every local session checked in Redis again (revocations may have gone unheard). */
  private async recheckAll(): Promise<void> {
    const bySession = new Map<string, ChatSocket[]>();
    for (const socket of this.settings.io.of('/').sockets.values()) {
      const group = bySession.get(socket.data.sessionId);
      if (group) group.push(socket);
      else bySession.set(socket.data.sessionId, [socket]);
    }
    const groups = [...bySession.values()];
    const worker = async () => {
      for (let group = groups.pop(); group; group = groups.pop()) {
        for (const socket of group) {
          const reason = await this.settings.revocations.check(sessionOf(socket.data));
          if (reason) this.end(socket, reason);
        }
      }
    };
    await Promise.all(Array.from({ length: RECHECK_CONCURRENCY }, worker));
  }
}

function reply(ack: unknown, error: AppError): void {
  if (typeof ack === 'function') (ack as (result: unknown) => void)(toAckError(error));
}
