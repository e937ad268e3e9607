import { onlineRange, type RoomMembership } from '@parley/chat-store';
import { presenceKey } from '@parley/keyspace';
import type { Redis } from '@parley/redis';

export interface RoomMember {
  userId: string;
  /** At least one socket of this user holds an unexpired presence lease. */
  online: boolean;
}

/**
 * Which of the given presence keys have no lease in the future (ZCOUNT key now +inf = 0),
 * as 1-based positions. One script call per batch instead of one command per member: a batch
 * of 100 messages in rooms of 10 asks about up to 1,000 users, and per-command overhead (in
 * ioredis and in Redis) dominated the worker's CPU at 2,000 messages/s. Offline users are the
 * rare case, so the reply stays small. On a Redis Cluster its keys share the install prefix's
 * hash tag, so one slot (docs/decisions/0035-redis-cluster.md).
 */
const OFFLINE_AMONG_LUA = `
local offline = {}
for index, key in ipairs(KEYS) do
  if redis.call('ZCOUNT', key, ARGV[1], ARGV[2]) == 0 then offline[#offline + 1] = index end
end
return offline
`;
const COMMAND = 'parleyOfflineAmong';
type WithOfflineCommand = { [COMMAND]: (keyCount: number, ...args: string[]) => Promise<number[]> };

/**
 * The members of each room and whether they are online right now. Presence is chat-socket's
 * sorted set per user (`presenceKey`): socket ids scored by lease expiry, online when any
 * score is in the future. One script call per batch (the members come with the batch's insert).
 */
export async function findRoomAudience(redis: Redis, redisKeyPrefix: string, memberships: RoomMembership[]): Promise<Map<string, RoomMember[]>> {
  const audience = new Map<string, RoomMember[]>();
  if (memberships.length === 0) return audience;

  const userIds = [...new Set(memberships.map((membership) => membership.userId))];
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: OFFLINE_AMONG_LUA });
  const offlinePositions = await (redis as unknown as WithOfflineCommand)[COMMAND](
    userIds.length,
    ...userIds.map((userId) => presenceKey(redisKeyPrefix, userId)),
    ...onlineRange(),
  );
  const offline = new Set(offlinePositions.map((position) => userIds[position - 1]));

  for (const { roomId, userId } of memberships) {
    const members = audience.get(roomId) ?? [];
    members.push({ userId, online: !offline.has(userId) });
    audience.set(roomId, members);
  }
  return audience;
}
