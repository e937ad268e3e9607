import { replyExcerpt, REPLY_EXCERPT_MAX, type Message, type ReplyQuote } from '@parley/contracts';
import type { DataSource } from '@parley/db';

/**
 * Fills in the quote of each reply among `items` from its parent's stored state: author, the
 * start of its current text, or that it was deleted (a deleted parent's text is never quoted).
 * A parent not stored yet (accepted moments ago) leaves the quote the reply was sent with.
 */
export async function attachReplyQuotes(dataSource: DataSource, items: Message[]): Promise<void> {
  const replies = items.filter((item) => item.replyTo !== undefined);
  if (replies.length === 0) return;
  const quotes = await fetchReplyQuotes(dataSource, [...new Set(replies.map((item) => item.replyTo!))]);
  for (const reply of replies) {
    const quote = quotes.get(reply.replyTo!);
    // Only a parent of the reply's own room is ever quoted.
    if (quote && quote.roomId === reply.roomId) reply.replyQuote = quote.quote;
  }
}

/** The quotes of stored messages by id (kind `message` only), with each one's room. */
export async function fetchReplyQuotes(dataSource: DataSource, ids: string[]): Promise<Map<string, { roomId: string; quote: ReplyQuote }>> {
  const result = new Map<string, { roomId: string; quote: ReplyQuote }>();
  if (ids.length === 0) return result;
  const rows = (await dataSource.query(
    `SELECT id::text AS id, room_id, sender_id, left(body, ${REPLY_EXCERPT_MAX}) AS excerpt, deleted_at IS NOT NULL AS deleted
       FROM chat.messages WHERE id = ANY($1::bigint[]) AND kind = 'message'`,
    [ids],
  )) as Array<{ id: string; room_id: string; sender_id: string; excerpt: string; deleted: boolean }>;
  for (const row of rows) {
    const quote = { messageId: row.id, senderId: row.sender_id, excerpt: row.deleted ? '' : replyExcerpt(row.excerpt), deleted: row.deleted };
    result.set(row.id, { roomId: row.room_id, quote });
  }
  return result;
}

/** The quote of one stored message of a room (null when it is not stored there, or is an event). */
export async function findReplyParent(dataSource: DataSource, roomId: string, messageId: string): Promise<ReplyQuote | null> {
  const rows = (await dataSource.query(
    `SELECT id::text AS id, sender_id, left(body, ${REPLY_EXCERPT_MAX}) AS excerpt, deleted_at IS NOT NULL AS deleted
       FROM chat.messages WHERE id = $1 AND room_id = $2 AND kind = 'message'`,
    [messageId, roomId],
  )) as Array<{ id: string; sender_id: string; excerpt: string; deleted: boolean }>;
  const row = rows[0];
  if (!row) return null;
  return { messageId: row.id, senderId: row.sender_id, excerpt: row.deleted ? '' : replyExcerpt(row.excerpt), deleted: row.deleted };
}
