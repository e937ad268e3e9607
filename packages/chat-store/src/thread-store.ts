import type { Message } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import { attachReactions, MESSAGE_COLUMNS, toMessage, type MessageRow } from './message-store.js';
import { attachReplyQuotes } from './reply-quotes.js';

/**
 * Folds stored replies into their parents (docs/decisions/0034-replies-and-mentions.md):
 * `reply_count` and `last_reply_at` are recounted from the stored replies (so a re-run, or
 * replies stored in any order, give the same state) and `state_seq` moves up to the newest reply
 * counted, the rule clients use to tell a reply already counted from one to add. Parents: those
 * the batch's replies name and the batch's own messages (a reply stored before its parent,
 * when the parent's job was retried). One statement, one indexed read when nothing has replies.
 */
export async function foldReplies(dataSource: DataSource, batch: Message[]): Promise<number> {
  const parents = new Set<string>();
  for (const item of batch) {
    if ((item.kind ?? 'message') !== 'message') continue;
    parents.add(item.id);
    if (item.replyTo) parents.add(item.replyTo);
  }
  if (parents.size === 0) return 0;
  const rows = (await dataSource.query(
    `WITH counted AS (
       -- Replies of the parent's own room only (sequence numbers are per room).
       SELECT r.reply_to_id AS id, count(*)::int AS n, max(r.created_at) AS last_at, max(r.seq) AS last_seq
         FROM chat.messages AS r JOIN chat.messages AS parent ON parent.id = r.reply_to_id AND parent.room_id = r.room_id
        WHERE r.reply_to_id = ANY($1::bigint[]) AND r.kind = 'message'
        GROUP BY r.reply_to_id
     )
     UPDATE chat.messages AS p
        SET reply_count = c.n, last_reply_at = c.last_at, state_seq = GREATEST(p.state_seq, c.last_seq)
       FROM counted AS c
      WHERE p.id = c.id AND p.kind = 'message' AND (p.reply_count <> c.n OR p.state_seq < c.last_seq)
     RETURNING p.id`,
    [[...parents]],
  )) as unknown[];
  return Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
}

/** A stored message of a room by id (null when absent or an event). */
export async function fetchStoredMessage(dataSource: DataSource, roomId: string, messageId: string): Promise<Message | null> {
  const rows = (await dataSource.query(`SELECT ${MESSAGE_COLUMNS} FROM chat.messages WHERE id = $1 AND room_id = $2 AND kind = 'message'`, [
    messageId,
    roomId,
  ])) as MessageRow[];
  if (rows.length === 0) return null;
  const message = toMessage(rows[0]!);
  await attachReactions(dataSource, [message]);
  await attachReplyQuotes(dataSource, [message]);
  return message;
}

/** A page of a message's stored replies after `afterSeq`, in sequence order, and whether there is more. */
export async function fetchReplyPage(
  dataSource: DataSource,
  roomId: string,
  parentId: string,
  page: { afterSeq?: number; limit: number },
): Promise<{ replies: Message[]; hasMore: boolean }> {
  const rows = (await dataSource.query(
    `SELECT ${MESSAGE_COLUMNS} FROM chat.messages
      WHERE reply_to_id = $1 AND room_id = $2 AND kind = 'message' AND seq > $3
      ORDER BY seq ASC LIMIT $4`,
    [parentId, roomId, page.afterSeq ?? 0, page.limit + 1],
  )) as MessageRow[];
  const replies = rows.slice(0, page.limit).map(toMessage);
  await attachReactions(dataSource, replies);
  await attachReplyQuotes(dataSource, replies);
  return { replies, hasMore: rows.length > page.limit };
}
