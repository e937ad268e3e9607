/**
 * Presence lives in Redis, written by chat-socket and read by the persistence worker (who is
 * offline gets a notification). One sorted set per user: members are socket ids, scores the
 * epoch ms at which each socket's heartbeat lease expires. Online = any score in the future,
 * so the sockets of a crashed pod stop counting once their leases lapse.
 */
export function presenceKey(redisKeyPrefix: string, userId: string): string {
  return `${redisKeyPrefix}presence:user:${userId}`;
}

/** Redis arguments for "is any lease of this user still valid" (ZCOUNT key now +inf). */
export function onlineRange(now = Date.now()): [string, string] {
  return [String(now), '+inf'];
}
