/**
 * Presence leases (keys in @parley/keyspace: `presenceKey`): one sorted set per user, members
 * socket ids, scores the epoch ms at which each socket's heartbeat lease expires. Online = any
 * score in the future, so the sockets of a crashed pod stop counting once their leases lapse.
 */

/** Redis arguments for "is any lease of this user still valid" (ZCOUNT key now +inf). */
export function onlineRange(now = Date.now()): [string, string] {
  return [String(now), '+inf'];
}
