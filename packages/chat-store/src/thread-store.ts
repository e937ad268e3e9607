import type { Message } from '@parley/contracts';
import { queryPrepared, type DataSource } from '@parley/db';
import { attachReactions, MESSAGE_COLUMNS, toMessage, type MessageRow } from './message-store.js';
import { idsWrittenAfter } from './message-partitions.js';
import { attachReplyQuotes } from './reply-quotes.js';

/**
 * Recounts the replies of parents `$1` (ids) in their own room, reading messages from id `$2`
 * on (idsWrittenAfter: replies and parents are written after the oldest parent).
 */
export const FOLD_REPLIES_SQL = `WITH counted AS (
   -- Replies of the parent's own room only (sequence numbers are per room).
   SELECT r.reply_to_id AS id, count(*)::int AS n, max(r.created_at) AS last_at, max(r.seq) AS last_seq
     FROM chat.messages AS r JOIN chat.messages AS parent ON parent.id = r.reply_to_id AND parent.room_id = r.room_id
    WHERE r.reply_to_id = ANY($1::bigint[]) AND r.kind = 'message' AND r.id >= $2::bigint AND parent.id >= $2::bigint
    GROUP BY r.reply_to_id
 )
 UPDATE chat.messages AS p
    SET reply_count = c.n, last_reply_at = c.last_at, state_seq = GREATEST(p.state_seq, c.last_seq)
   FROM counted AS c
  WHERE p.id = c.id AND p.id >= $2::bigint AND p.kind = 'message' AND (p.reply_count <> c.n OR p.state_seq < c.last_seq)
 RETURNING p.id`;

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
  // Prepared, and bounded below by id ($2: replies and parents are written after the oldest
  // parent): it runs for every stored batch, and planning and running it over every partition
  // of chat.messages cost more than what it usually finds (nothing).
  const rows = await queryPrepared<{ id: string }>(
    dataSource,
    'parley_fold_replies',
    FOLD_REPLIES_SQL,
    [[...parents], idsWrittenAfter(parents)],
  );
  return rows.length;
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

/**
 * Where a page of a thread starts: after `afterSeq` going forwards (from the first reply without
 * it), or below `beforeSeq` going backwards (from the latest reply when `backwards` has no bound).
 */
export type ReplyPageRequest = { afterSeq?: number; limit: number } | { backwards: true; beforeSeq?: number; limit: number };

/**
 * A page of a message's stored replies, in sequence order either way, and whether there is more
 * in the direction read. Both directions walk the `(reply_to_id, seq)` index.
 */
export async function fetchReplyPage(dataSource: DataSource, roomId: string, parentId: string, page: ReplyPageRequest): Promise<{ replies: Message[]; hasMore: boolean }> {
  const backwards = 'backwards' in page;
  const rows = (await dataSource.query(
    backwards
      ? `SELECT ${MESSAGE_COLUMNS} FROM chat.messages
          WHERE reply_to_id = $1 AND room_id = $2 AND kind = 'message' AND ($3::bigint IS NULL OR seq < $3::bigint)
          ORDER BY seq DESC LIMIT $4`
      : `SELECT ${MESSAGE_COLUMNS} FROM chat.messages
          WHERE reply_to_id = $1 AND room_id = $2 AND kind = 'message' AND seq > $3
          ORDER BY seq ASC LIMIT $4`,
    [parentId, roomId, backwards ? (page.beforeSeq ?? null) : (page.afterSeq ?? 0), page.limit + 1],
  )) as MessageRow[];
  const replies = rows.slice(0, page.limit).map(toMessage);
  if (backwards) replies.reverse();
  await attachReactions(dataSource, replies);
  await attachReplyQuotes(dataSource, replies);
  return { replies, hasMore: rows.length > page.limit };
}
