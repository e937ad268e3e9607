import {
  sessionRevocationReasonSchema,
  userSessionsRevokedEventSchema,
  type SessionRevocationReason,
  type UserSessionsRevokedEvent,
} from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { closeRedis, createRedis, subscribeWhenReady, type Redis } from '@parley/redis';
import { revokedSessionKey, sessionsNotBeforeKey, sessionsRevokedChannel } from '@parley/keyspace';
import { parseNotBefore } from './not-before-value.js';

/** What an access token says about its session. */
export interface SessionClaims {
  userId: string;
  sessionId: string;
  /** `iat`, epoch seconds. */
  issuedAt: number;
}

/**
 * Whether sessions were revoked, as the auth service recorded them in Redis, with a local cache
 * kept current by the revocation channel, so most checks cost a Map lookup.
 */
export interface SessionRevocations {
  /** Resolves once the channel is subscribed (checks work before, straight from Redis). */
  ready: Promise<void>;
  /** The reason the session ended, or null while it is active. Rejects when Redis cannot be asked. */
  check(session: SessionClaims): Promise<SessionRevocationReason | null>;
  /**
   * The same answer from local knowledge only, for every socket event of a session that passed
   * `check`: exact while the channel is subscribed (every revocation since was heard);
   * undefined while it is not, and the caller must `check`.
   */
  checkLocally(session: SessionClaims): SessionRevocationReason | null | undefined;
  /** Called for every revocation heard (after the cache took it in). */
  onRevoked(listener: (event: UserSessionsRevokedEvent) => void): void;
  /**
   * Called when the channel is subscribed again after a lost connection: revocations made
   * meanwhile were not heard, so whatever passed a check before should be checked again.
   */
  onResubscribed(listener: () => void): void;
  close(): Promise<void>;
  /** Drops the subscriber connection without a goodbye (crash simulation). */
  abort(): void;
}

export interface SessionRevocationsSettings {
  /** Commands connection (the service's own). */
  redis: Redis;
  /** A subscriber connection of its own is opened to this URL. */
  redisUrl: string;
  redisKeyPrefix: string;
  logger: Logger;
  /** How long an answer read from Redis is reused while the channel is subscribed. */
  cacheMs?: number;
  /** Sessions whose Redis answers are cached at most (heard revocations are always kept). */
  maxCachedSessions?: number;
}

/** A session's revocation, heard or read (`reason` null: read from Redis, not revoked). */
interface SessionFact {
  reason: SessionRevocationReason | null;
  until: number;
  heard: boolean;
}

/** A user's not-before (0: none), heard or read. */
interface UserFact {
  notBefore: number;
  reason: SessionRevocationReason;
  until: number;
  heard: boolean;
}

const DEFAULT_CACHE_MS = 10_000;
const DEFAULT_MAX_CACHED_SESSIONS = 100_000;
const PRUNE_INTERVAL_MS = 10_000;

export function startSessionRevocations(settings: SessionRevocationsSettings): SessionRevocations {
  const { redis, redisKeyPrefix, logger } = settings;
  const cacheMs = settings.cacheMs ?? DEFAULT_CACHE_MS;
  const maxCached = settings.maxCachedSessions ?? DEFAULT_MAX_CACHED_SESSIONS;
  const channel = sessionsRevokedChannel(redisKeyPrefix);
  const sessions = new Map<string, SessionFact>();
  const users = new Map<string, UserFact>();
  const revokedListeners: Array<(event: UserSessionsRevokedEvent) => void> = [];
  const resubscribedListeners: Array<() => void> = [];
  /** True while the channel is subscribed: no revocation can go unheard. */
  let live = false;
  let everLive = false;
  let closed = false;

  const dropReadFacts = () => {
    for (const [id, fact] of sessions) if (!fact.heard) sessions.delete(id);
    for (const [id, fact] of users) if (!fact.heard) users.delete(id);
  };

  const hear = (event: UserSessionsRevokedEvent) => {
    const until = event.expiresAt * 1000;
    if (event.sessionId) sessions.set(event.sessionId, { reason: event.reason, until, heard: true });
    if (event.notBefore !== undefined) {
      const known = users.get(event.userId);
      if (!known || known.notBefore <= event.notBefore || known.until <= Date.now()) {
        users.set(event.userId, { notBefore: event.notBefore, reason: event.reason, until, heard: true });
      }
    }
  };

  const subscriber = createRedis({ url: settings.redisUrl, name: 'session-revocations', logger, maxRetriesPerRequest: null });
  subscriber.on('message', (from: string, raw: string) => {
    if (from !== channel) return;
    let event: UserSessionsRevokedEvent;
    try {
      const parsed = userSessionsRevokedEventSchema.safeParse(JSON.parse(raw));
      if (!parsed.success) throw parsed.error;
      event = parsed.data;
    } catch {
      logger.warn({ channel }, 'ignoring a malformed sessions-revoked event');
      return;
    }
    hear(event);
    for (const listener of revokedListeners) listener(event);
  });
  subscriber.on('close', () => {
    if (!live) return;
    live = false;
    // Revocations may now go unheard: answers read from Redis are no longer kept current.
    dropReadFacts();
    if (!closed) logger.warn({ channel }, 'session revocation channel lost; checking every session in Redis until it is back');
  });
  subscriber.on('ready', () => {
    if (!everLive || closed) return;
    subscriber.subscribe(channel).then(
      () => {
        dropReadFacts();
        live = true;
        logger.info({ channel }, 'session revocation channel subscribed again');
        for (const listener of resubscribedListeners) listener();
      },
      (error: unknown) => logger.warn({ err: error, channel }, 'cannot subscribe to the session revocation channel again'),
    );
  });
  const ready = subscribeWhenReady(subscriber, channel).then(() => {
    live = true;
    everLive = true;
  });
  ready.catch((error: unknown) => logger.error({ err: error, channel }, 'cannot subscribe to the session revocation channel'));

  const prune = setInterval(() => {
    const now = Date.now();
    for (const [id, fact] of sessions) if (fact.until <= now) sessions.delete(id);
    for (const [id, fact] of users) if (fact.until <= now) users.delete(id);
  }, PRUNE_INTERVAL_MS);
  prune.unref();

  const checkLocally = (session: SessionClaims): SessionRevocationReason | null | undefined => {
    if (!live) return undefined;
    const now = Date.now();
    const revoked = sessions.get(session.sessionId);
    if (revoked?.reason && revoked.until > now) return revoked.reason;
    const user = users.get(session.userId);
    if (user && user.until > now && session.issuedAt < user.notBefore) return user.reason;
    return null;
  };

  return {
    ready,
    checkLocally,
    async check(session) {
      const local = checkLocally(session);
      if (local) return local;
      const now = Date.now();
      if (local === null && (sessions.get(session.sessionId)?.until ?? 0) > now && (users.get(session.userId)?.until ?? 0) > now) return null;

      const wasLive = live;
      const [revokedValue, notBeforeValue] = await redis.mget(
        revokedSessionKey(redisKeyPrefix, session.userId, session.sessionId),
        sessionsNotBeforeKey(redisKeyPrefix, session.userId),
      );
      const revokedReason = revokedValue ? reasonOf(revokedValue) : null;
      const notBefore = parseNotBefore(notBeforeValue);
      // Cached only when no revocation could have gone unheard since the read was sent; a fact
      // heard meanwhile is never overwritten by this (possibly older) read.
      if (wasLive && live && (sessions.size < maxCached || sessions.has(session.sessionId))) {
        const until = Date.now() + cacheMs;
        if (!sessions.get(session.sessionId)?.heard) sessions.set(session.sessionId, { reason: revokedReason, until, heard: false });
        const known = users.get(session.userId);
        if (!known?.heard || (notBefore && known.notBefore < notBefore.notBefore)) {
          users.set(session.userId, { notBefore: notBefore?.notBefore ?? 0, reason: reasonOf(notBefore?.reason), until, heard: false });
        }
      }
      if (revokedReason) return revokedReason;
      if (notBefore && session.issuedAt < notBefore.notBefore) return reasonOf(notBefore.reason);
      return checkLocally(session) ?? null;
    },
    onRevoked(listener) {
      revokedListeners.push(listener);
    },
    onResubscribed(listener) {
      resubscribedListeners.push(listener);
    },
    async close() {
      closed = true;
      clearInterval(prune);
      await closeRedis(subscriber);
    },
    abort() {
      closed = true;
      clearInterval(prune);
      subscriber.disconnect();
    },
  };
}

/** A reason as stored; an unknown one still means revoked. */
function reasonOf(value: string | undefined): SessionRevocationReason {
  const parsed = sessionRevocationReasonSchema.safeParse(value);
  return parsed.success ? parsed.data : 'logout-all';
}
