/** Redis pub/sub channels between processes. Payload schemas live in @parley/contracts. */

/**
 * The persistence worker publishes `NotificationRelay` JSON here; every chat-socket pod
 * subscribes and emits `notification` to its own sockets of that user. A plain channel, because
 * @socket.io/redis-emitter cannot reach servers on the sharded adapter.
 */
export function notificationsChannel(prefix: string): string {
  return `${prefix}events:notifications`;
}

/** The user service announces a block or unblock (`BlocksChangedEvent`); chat-socket pods subscribe. */
export function blocksChangedChannel(prefix: string): string {
  return `${prefix}events:blocks-changed`;
}

/** The auth service announces revoked sessions (`UserSessionsRevokedEvent`); every verifier subscribes. */
export function sessionsRevokedChannel(prefix: string): string {
  return `${prefix}events:user-sessions-revoked`;
}

/**
 * Channel prefix of the socket.io Redis adapter (its sharded channels start with it), so
 * installs sharing a Redis stay apart. Without the prefix's hash tag (`{parley}:` →
 * `parley:socket.io`): on a Redis Cluster sharded channels (SPUBLISH) are placed by slot like
 * keys, and the tag would put every room's channel on one primary
 * (docs/decisions/0035-redis-cluster.md).
 */
export function socketIoAdapterChannelPrefix(prefix: string): string {
  return `${prefix.replace(/[{}]/g, '')}socket.io`;
}
