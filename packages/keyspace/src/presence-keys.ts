/**
 * Presence, written by chat-socket and read by the persistence worker (who is offline gets a
 * notification).
 */

/**
 * One sorted set per user: members are socket ids, scores the epoch ms at which each socket's
 * heartbeat lease expires. Online = any score in the future, so the sockets of a crashed pod
 * stop counting once their leases lapse.
 */
export function presenceKey(prefix: string, userId: string): string {
  return `${prefix}presence:user:${userId}`;
}

/** Sorted set user id → latest lease expiry: the sweeper finds users whose pods died. */
export function presenceIndexKey(prefix: string): string {
  return `${prefix}presence:index`;
}

/** Hash user id → ISO time the user went offline. */
export function presenceLastSeenKey(prefix: string): string {
  return `${prefix}presence:last-seen`;
}

/** Lock so one chat-socket pod at a time sweeps lapsed leases. */
export function presenceSweepLockKey(prefix: string): string {
  return `${prefix}presence:sweep-lock`;
}
