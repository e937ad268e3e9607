/**
 * Session revocation, written by the auth service and read by every verifier
 * (docs/decisions/0007-session-revocation.md). The user id is a hash tag, so both keys of a
 * user live in one slot and one MGET reads them (also on Redis Cluster).
 */

/** `<reason>` while the session's access tokens are refused (logout). */
export function revokedSessionKey(prefix: string, userId: string, sessionId: string): string {
  return `${prefix}session:{${userId}}:revoked:${sessionId}`;
}

/** `<epoch seconds>:<reason>`: the user's access tokens issued before that second are refused. */
export function sessionsNotBeforeKey(prefix: string, userId: string): string {
  return `${prefix}session:{${userId}}:not-before`;
}
