import { USER_SESSIONS_REVOKED_CHANNEL } from '@parley/contracts';

/**
 * Redis names of session revocation, written by the auth service and read by every verifier.
 * The user id is a hash tag, so both keys of a user live in one slot and one MGET reads them
 * (also on Redis Cluster).
 */

/** `<reason>` while the session's access tokens are refused (logout). */
export function revokedSessionKey(redisKeyPrefix: string, userId: string, sessionId: string): string {
  return `${redisKeyPrefix}session:{${userId}}:revoked:${sessionId}`;
}

/** `<epoch seconds>:<reason>`: the user's access tokens issued before that second are refused. */
export function sessionsNotBeforeKey(redisKeyPrefix: string, userId: string): string {
  return `${redisKeyPrefix}session:{${userId}}:not-before`;
}

/** Pub/sub channel of revocations (`userSessionsRevokedEventSchema`). */
export function sessionsRevokedChannel(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}${USER_SESSIONS_REVOKED_CHANNEL}`;
}

/** Parses a not-before value; undefined for a missing or malformed one. */
export function parseNotBefore(value: string | null | undefined): { notBefore: number; reason: string } | undefined {
  const match = value ? /^(\d+):([a-z-]+)$/.exec(value) : null;
  return match ? { notBefore: Number(match[1]), reason: match[2]! } : undefined;
}
