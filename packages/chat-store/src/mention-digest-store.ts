import type { Message } from '@parley/contracts';
import type { DataSource } from '@parley/db';

/** A pending mention as its digest shows it. */
export interface MentionDigestItem {
  messageId: string;
  roomId: string;
  /** Null for a direct conversation. */
  roomName: string | null;
  senderId: string;
  body: string;
  createdAt: string;
}

/**
 * A user's open digest window: it opened with the oldest unclaimed mention (`windowId` is that
 * mention's message id) and closes `window length` after `opensAt`.
 */
export interface OpenMentionDigestWindow {
  userId: string;
  windowId: string;
  opensAt: Date;
}

export interface ClaimedMentionDigest {
  /** Still worth mailing, oldest first: the user is a member, has not read past it, it is not deleted. */
  items: MentionDigestItem[];
  /** Every unsettled row of the window (mailable or not): what `settleMentionDigest` closes. */
  claimedCount: number;
}

/** Settled rows are kept this long so that a late re-run of a digest still finds them settled. */
const SETTLED_KEPT = '7 days';

/**
 * Per-user transaction lock: recording a mention and claiming a window never interleave, so
 * every mention either joins the window a digest claims or opens the next one.
 */
const lockUsers = (manager: { query: DataSource['query'] }, userIds: string[]) =>
  manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('mention-digest:' || u, 0)) FROM unnest($1::text[]) AS u`, [[...userIds].sort()]);

/**
 * Records mentions of users who were offline as pending digest items, one row per (user,
 * message): a re-run of the mention job adds nothing. Returns each user's open window (none when
 * a digest already claimed this mention).
 */
export async function recordMentionDigestItems(dataSource: DataSource, message: Message, userIds: string[]): Promise<OpenMentionDigestWindow[]> {
  const users = [...new Set(userIds)];
  if (users.length === 0) return [];
  return dataSource.transaction(async (manager) => {
    await lockUsers(manager, users);
    await manager.query(
      `INSERT INTO chat.mention_digest_items (user_id, message_id, room_id)
       SELECT u, $2::bigint, $3::uuid FROM unnest($1::uuid[]) AS u
       ON CONFLICT (user_id, message_id) DO NOTHING`,
      [users, message.id, message.roomId],
    );
    const rows: Array<{ user_id: string; message_id: string; created_at: Date }> = await manager.query(
      `SELECT DISTINCT ON (user_id) user_id, message_id, created_at
         FROM chat.mention_digest_items
        WHERE user_id = ANY($1::uuid[]) AND digest_window IS NULL AND settled_at IS NULL
        ORDER BY user_id, created_at, message_id`,
      [users],
    );
    return rows.map((row) => ({ userId: row.user_id, windowId: row.message_id, opensAt: row.created_at }));
  });
}

/**
 * Claims the user's unclaimed mentions for window `windowId`, unless that window already claimed
 * some (a re-run must mail what the first run mailed, nothing recorded since), and returns the
 * window's unsettled mentions. A mention stops being mailable once the user's read marker in its
 * room reaches it, once the user left the room, or once it was deleted.
 */
export async function claimMentionDigest(dataSource: DataSource, userId: string, windowId: string): Promise<ClaimedMentionDigest> {
  await dataSource.transaction(async (manager) => {
    await lockUsers(manager, [userId]);
    await manager.query(
      `UPDATE chat.mention_digest_items SET digest_window = $2
        WHERE user_id = $1 AND digest_window IS NULL AND settled_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM chat.mention_digest_items WHERE user_id = $1 AND digest_window = $2)`,
      [userId, windowId],
    );
  });
  const rows: Array<{
    message_id: string;
    room_id: string;
    room_name: string | null;
    sender_id: string | null;
    body: string | null;
    created_at: Date | null;
    mailable: boolean;
  }> = await dataSource.query(
    `SELECT i.message_id, i.room_id, r.name AS room_name, m.sender_id, m.body, m.created_at,
            (m.id IS NOT NULL AND m.deleted_at IS NULL AND rm.user_id IS NOT NULL
              AND (rm.last_read_message_id IS NULL OR rm.last_read_message_id < i.message_id)) AS mailable
       FROM chat.mention_digest_items i
       LEFT JOIN chat.messages m ON m.id = i.message_id
       LEFT JOIN chat.rooms r ON r.id = i.room_id
       LEFT JOIN chat.room_members rm ON rm.room_id = i.room_id AND rm.user_id = i.user_id
      WHERE i.user_id = $1 AND i.digest_window = $2 AND i.settled_at IS NULL
      ORDER BY i.message_id`,
    [userId, windowId],
  );
  return {
    claimedCount: rows.length,
    items: rows.flatMap((row) =>
      row.mailable && row.sender_id !== null && row.body !== null && row.created_at !== null
        ? [{ messageId: row.message_id, roomId: row.room_id, roomName: row.room_name, senderId: row.sender_id, body: row.body, createdAt: row.created_at.toISOString() }]
        : [],
    ),
  };
}

/** Closes the window's rows (mailed or dropped), and forgets the user's long-settled ones. */
export async function settleMentionDigest(dataSource: DataSource, userId: string, windowId: string): Promise<void> {
  await dataSource.query('UPDATE chat.mention_digest_items SET settled_at = now() WHERE user_id = $1 AND digest_window = $2 AND settled_at IS NULL', [
    userId,
    windowId,
  ]);
  await dataSource.query(`DELETE FROM chat.mention_digest_items WHERE user_id = $1 AND settled_at < now() - interval '${SETTLED_KEPT}'`, [userId]);
}
