import { adapterSafeChannelPrefix } from '@parley/redis';

/**
 * Names of socket.io rooms and Redis pub/sub channels, in one place so every sender and
 * subscriber agrees on them.
 */

/** Every socket of a user, on every pod, is in this socket.io room. */
export function userChannel(userId: string): string {
  return `user:${userId}`;
}

/** Every socket of every member of a chat room is in this socket.io room. */
export function roomChannel(roomId: string): string {
  return `room:${roomId}`;
}

export const ROOM_CHANNEL_PREFIX = 'room:';

/** The chat room id of a socket.io room name, or undefined for other rooms. */
export function roomIdOfChannel(channel: string): string | undefined {
  return channel.startsWith(ROOM_CHANNEL_PREFIX) ? channel.slice(ROOM_CHANNEL_PREFIX.length) : undefined;
}

/** Redis pub/sub channel on which the persistence worker announces notifications: JSON `{userId, notification}`. */
export function notificationsChannel(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}events:notifications`;
}

/**
 * socket.io adapter channel prefix under the install's Redis prefix, so installs sharing a Redis
 * stay apart. Without the prefix's hash tag (`{parley}:` → `parley:socket.io`): on a Redis
 * Cluster sharded channels are placed by slot, and the tag would put every room on one primary
 * (docs/decisions/XXXX-redis-cluster.md).
 */
export function adapterChannelPrefix(redisKeyPrefix: string): string {
  return `${adapterSafeChannelPrefix(redisKeyPrefix)}socket.io`;
}
