/**
 * Live notifications: the persistence worker PUBLISHes a JSON `NotificationRelay`
 * (`{ userId, notification }`, schema in @parley/contracts) on this Redis channel, and every
 * chat-socket pod SUBSCRIBEs and emits `notification` to its local sockets in `userRoom(userId)`
 * (`io.local.to(...)`, since every pod receives the message). A plain channel rather than
 * @socket.io/redis-emitter, because the emitter cannot reach servers on the sharded adapter.
 */
export function notificationChannel(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}events:notifications`;
}

/** The socket.io room every socket of one user joins. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}
