import type { Message } from '@parley/contracts';
import type { DataSource } from '@parley/db';

/**
 * One row per (mentioned user, message) (`notifications_mention_uq`): a re-run of the job
 * records nothing again. Returns the users whose row this call created.
 */
export async function recordMentionNotifications(dataSource: DataSource, message: Message, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows: Array<{ user_id: string }> = await dataSource.query(
    `INSERT INTO chat.notifications (user_id, kind, room_id, from_user_id, last_message_id, message_count)
     SELECT u, 'mention', $2::uuid, $3::uuid, $4::bigint, 1 FROM unnest($1::uuid[]) AS u
     ON CONFLICT (user_id, last_message_id) WHERE kind = 'mention' DO NOTHING
     RETURNING user_id`,
    [[...new Set(userIds)], message.roomId, message.senderId, message.id],
  );
  return rows.map((row) => row.user_id);
}
