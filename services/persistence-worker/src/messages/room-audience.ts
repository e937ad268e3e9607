import { onlineRange, presenceKey } from '@parley/chat-store';
import type { DataSource } from '@parley/db';
import type { Redis } from '@parley/redis';

export interface RoomMember {
  userId: string;
  /** At least one socket of this user holds an unexpired presence lease. */
  online: boolean;
}

/**
 * The members of each room and whether they are online right now. Presence is chat-socket's
 * sorted set per user (`presenceKey`): socket ids scored by lease expiry, online when any
 * score is in the future (ZCOUNT key now +inf > 0). One query and one pipeline per batch.
 */
export async function findRoomAudience(
  dataSource: DataSource,
  redis: Redis,
  redisKeyPrefix: string,
  roomIds: string[],
): Promise<Map<string, RoomMember[]>> {
  const audience = new Map<string, RoomMember[]>();
  if (roomIds.length === 0) return audience;
  const rows: Array<{ room_id: string; user_id: string }> = await dataSource.query(
    'SELECT room_id, user_id FROM chat.room_members WHERE room_id = ANY($1::uuid[])',
    [[...new Set(roomIds)]],
  );
  if (rows.length === 0) return audience;

  const userIds = [...new Set(rows.map((row) => row.user_id))];
  const [min, max] = onlineRange();
  const pipeline = redis.pipeline();
  for (const userId of userIds) pipeline.zcount(presenceKey(redisKeyPrefix, userId), min, max);
  const results = (await pipeline.exec()) ?? [];
  const online = new Set<string>();
  userIds.forEach((userId, index) => {
    const [error, count] = results[index] ?? [new Error('no reply'), 0];
    if (error) throw error;
    if (Number(count) > 0) online.add(userId);
  });

  for (const row of rows) {
    const members = audience.get(row.room_id) ?? [];
    members.push({ userId: row.user_id, online: online.has(row.user_id) });
    audience.set(row.room_id, members);
  }
  return audience;
}
