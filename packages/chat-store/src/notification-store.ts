import type { Message } from '@parley/contracts';
import type { DataSource } from '@parley/db';

/**
 * One open digest row per (user, room): the first offline message inserts it, later ones add 1
 * to `message_count` and move `last_message_id` forward (partial unique index
 * `notifications_open_room_uq`; a row stops being open when the user has seen it).
 * Re-running the job of the room's latest counted message changes nothing, so a job re-run
 * after a crash does not count its message twice. Returns the users whose row changed.
 */
export async function recordMessageNotifications(dataSource: DataSource, message: Message, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows: Array<{ user_id: string }> = await dataSource.query(
    `INSERT INTO chat.notifications AS n (user_id, kind, room_id, from_user_id, last_message_id, message_count)
     SELECT u, 'message', $2::uuid, $3::uuid, $4::bigint, 1 FROM unnest($1::uuid[]) AS u
     ON CONFLICT (user_id, room_id) WHERE kind = 'message' AND seen_at IS NULL
     DO UPDATE SET message_count = n.message_count + 1,
                   last_message_id = GREATEST(n.last_message_id, EXCLUDED.last_message_id),
                   from_user_id = CASE WHEN EXCLUDED.last_message_id > n.last_message_id
                                       THEN EXCLUDED.from_user_id ELSE n.from_user_id END,
                   updated_at = now()
       WHERE n.last_message_id IS DISTINCT FROM EXCLUDED.last_message_id
     RETURNING user_id`,
    [[...new Set(userIds)], message.roomId, message.senderId, message.id],
  );
  return rows.map((row) => row.user_id);
}

export interface FriendRequestNotification {
  /** `friend_request`: to the recipient; `friend_accepted`: to the sender, from the one who accepted. */
  kind: 'friend_request' | 'friend_accepted';
  requestId: string;
  fromUserId: string;
  toUserId: string;
}

/** One row per (user told, friend request, kind); true when this call created it. */
export async function recordFriendRequestNotification(dataSource: DataSource, request: FriendRequestNotification): Promise<boolean> {
  // Separate statements: ON CONFLICT names the partial unique index of its kind.
  const sql =
    request.kind === 'friend_request'
      ? `INSERT INTO chat.notifications (user_id, kind, from_user_id, friend_request_id)
         VALUES ($1, 'friend_request', $2, $3)
         ON CONFLICT (user_id, friend_request_id) WHERE kind = 'friend_request' DO NOTHING
         RETURNING id`
      : `INSERT INTO chat.notifications (user_id, kind, from_user_id, friend_request_id)
         VALUES ($1, 'friend_accepted', $2, $3)
         ON CONFLICT (user_id, friend_request_id) WHERE kind = 'friend_accepted' DO NOTHING
         RETURNING id`;
  const rows: Array<{ id: string }> = await dataSource.query(sql, [request.toUserId, request.fromUserId, request.requestId]);
  return rows.length > 0;
}
