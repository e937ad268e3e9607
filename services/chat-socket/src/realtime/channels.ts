/**
 * Names of socket.io rooms, in one place so every sender agrees on them (Redis channels are in
 * @parley/keyspace).
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
