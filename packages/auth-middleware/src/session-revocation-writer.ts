import type { Redis } from '@parley/redis';
import type { SessionRevocationReason, UserSessionsRevokedEvent } from '@parley/contracts';
import { revokedSessionKey, sessionsNotBeforeKey, sessionsRevokedChannel } from '@parley/keyspace';
import { parseNotBefore } from './not-before-value.js';

/**
 * How long a revocation outlives the moment it was made: the access-token lifetime, the
 * verifiers' clock tolerance (5 s), the second a not-before is rounded up by, and margin.
 */
const RETENTION_MARGIN_SECONDS = 60;

/** Marks the session revoked and announces it, in one script (never one without the other). */
const REVOKE_SESSION = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
redis.call('PUBLISH', KEYS[2], ARGV[3])
return 1`;

/**
 * Moves the user's not-before forward, always past the one held: the signer may already have
 * issued tokens dated at the held second (sign-ins right after the earlier revocation), and
 * this revocation must refuse them too. Never back (two auth pods with skewed clocks).
 * Announces the value in force and returns it.
 */
const REVOKE_USER = `
local wanted = tonumber(ARGV[1])
local current = redis.call('GET', KEYS[1])
local held = current and tonumber(string.match(current, '^(%d+)')) or 0
local notBefore = wanted
if held >= wanted then notBefore = held + 1 end
local reason = ARGV[2]
redis.call('SET', KEYS[1], notBefore .. ':' .. reason, 'EX', tonumber(ARGV[3]))
local event = '{"userId":"' .. ARGV[4] .. '","reason":"' .. ARGV[2] .. '","notBefore":' .. notBefore .. ',"expiresAt":' .. ARGV[5] .. '}'
redis.call('PUBLISH', KEYS[2], event)
return notBefore`;

export interface SessionRevocationWriterSettings {
  redis: Redis;
  redisKeyPrefix: string;
  /** Lifetime of the access tokens the auth service signs. */
  accessTokenTtlSeconds: number;
}

/** The auth service's side of session revocation: what verifiers read and hear. */
export interface SessionRevocationWriter {
  /** Refuses every access token of one session from now on (logout). */
  revokeSession(userId: string, sessionId: string, reason: SessionRevocationReason): Promise<void>;
  /**
   * Refuses every access token of the user issued until now (logout-all, password reset,
   * role change). Returns the not-before (epoch seconds) now in force.
   */
  revokeUserSessions(userId: string, reason: SessionRevocationReason): Promise<number>;
  /** The user's not-before in epoch seconds (0 when none): new tokens are issued at or after it. */
  notBefore(userId: string): Promise<number>;
}

export function createSessionRevocationWriter(settings: SessionRevocationWriterSettings): SessionRevocationWriter {
  const { redis, redisKeyPrefix } = settings;
  const retentionSeconds = settings.accessTokenTtlSeconds + RETENTION_MARGIN_SECONDS;
  const channel = sessionsRevokedChannel(redisKeyPrefix);
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  return {
    async revokeSession(userId, sessionId, reason) {
      const event: UserSessionsRevokedEvent = { userId, reason, sessionId, expiresAt: nowSeconds() + retentionSeconds };
      await redis.eval(REVOKE_SESSION, 2, revokedSessionKey(redisKeyPrefix, userId, sessionId), channel, reason, retentionSeconds, JSON.stringify(event));
    },
    async revokeUserSessions(userId, reason) {
      // Tokens carry whole seconds (`iat`): refusing those issued before the NEXT second refuses
      // every token issued until now; the signer issues later ones with `iat` at or after it.
      const notBefore = Math.floor(Date.now() / 1000) + 1;
      const inForce = await redis.eval(
        REVOKE_USER,
        2,
        sessionsNotBeforeKey(redisKeyPrefix, userId),
        channel,
        notBefore,
        reason,
        retentionSeconds,
        userId,
        nowSeconds() + retentionSeconds,
      );
      return Number(inForce);
    },
    async notBefore(userId) {
      return parseNotBefore(await redis.get(sessionsNotBeforeKey(redisKeyPrefix, userId)))?.notBefore ?? 0;
    },
  };
}
