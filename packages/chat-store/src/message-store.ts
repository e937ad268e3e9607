import type { Message } from '@parley/contracts';
import { queryPrepared, type DataSource } from '@parley/db';

export interface MessageRow {
  id: string;
  seq: string;
  room_id: string;
  sender_id: string;
  client_msg_id: string;
  body: string;
  created_at: Date;
  kind?: string;
  target_id?: string | null;
  emoji?: string | null;
  edited_at?: Date | null;
  deleted_at?: Date | null;
  state_seq?: string | null;
  reply_to_id?: string | null;
  mentions?: string[] | null;
  reply_count?: number | null;
  last_reply_at?: Date | null;
}

/**
 * A row as a timeline item: messages carry their folded state (edited, deleted, `stateSeq`),
 * events what they change. Fields that do not apply are left out (the JSON stays as before).
 */
export function toMessage(row: MessageRow): Message {
  const message: Message = {
    id: row.id,
    seq: Number(row.seq),
    roomId: row.room_id,
    senderId: row.sender_id,
    clientMsgId: row.client_msg_id,
    body: row.body,
    createdAt: row.created_at.toISOString(),
  };
  if (row.kind && row.kind !== 'message') {
    // Events return early: replies and mentions are of messages only.
    message.kind = row.kind as Message['kind'];
    if (row.target_id) message.targetId = row.target_id;
    if (row.emoji) message.emoji = row.emoji;
    return message;
  }
  if (row.edited_at) message.editedAt = row.edited_at.toISOString();
  if (row.deleted_at) message.deletedAt = row.deleted_at.toISOString();
  if (row.state_seq && Number(row.state_seq) > 0) message.stateSeq = Number(row.state_seq);
  if (row.reply_to_id) message.replyTo = row.reply_to_id;
  if (row.mentions && row.mentions.length > 0) message.mentions = row.mentions;
  if (row.reply_count && row.reply_count > 0) message.replyCount = row.reply_count;
  if (row.last_reply_at) message.lastReplyAt = row.last_reply_at.toISOString();
  return message;
}

/** A member of a room a stored batch wrote to (who may need a notification). */
export interface RoomMembership {
  roomId: string;
  userId: string;
}

export interface StoredBatch {
  /** The ids this call inserted (the others were stored before: a retried job). */
  insertedIds: string[];
  /**
   * Ids neither inserted nor stored before (by id or by sender and clientMsgId): their room
   * sequence number is taken by another message. Never expected; the caller must not finish.
   */
  conflictingIds: string[];
  /** Every member of the batch's rooms. */
  members: RoomMembership[];
}

/**
 * Stores a batch in ONE statement (data-modifying CTEs over unnest of arrays: one round trip,
 * one plan, atomic without BEGIN/COMMIT round trips): inserts the messages, skipping those
 * already stored by id or by (sender, clientMsgId) so a retried job is harmless, moves each
 * room's last activity forward, and lists the members of the batch's rooms (the worker's next
 * question) in the same reply. Prepared once per connection: parsing and planning it were a third
 * of its PostgreSQL CPU.
 */
export async function storeMessageBatch(dataSource: DataSource, messages: Message[]): Promise<StoredBatch> {
  if (messages.length === 0) return { insertedIds: [], conflictingIds: [], members: [] };
  const rows = await queryPrepared<{ kind: 'stored' | 'conflict' | 'member'; a: string; b: string | null }>(
    dataSource,
    'parley_store_message_batch',
    `WITH batch AS (
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::bigint[],
                            $8::text[], $9::bigint[], $10::text[], $11::bigint[], $12::text[])
                AS b(id, room_id, sender_id, client_msg_id, body, created_at, seq, kind, target_id, emoji, reply_to_id, mentions)
     ),
     stored AS (
       INSERT INTO chat.messages (id, room_id, sender_id, client_msg_id, body, created_at, seq, kind, target_id, emoji, reply_to_id, mentions)
       SELECT id, room_id, sender_id, client_msg_id, body, created_at, seq, kind, target_id, emoji, reply_to_id,
              string_to_array(mentions, ',')::uuid[]
         FROM batch
       ON CONFLICT DO NOTHING
       RETURNING id
     ),
     -- Skipped, yet not stored before by id or by (sender, clientMsgId): only (room_id, seq) clashed.
     conflicting AS (
       SELECT b.id FROM batch AS b
        WHERE b.id NOT IN (SELECT id FROM stored)
          AND NOT EXISTS (SELECT 1 FROM chat.messages AS m WHERE m.id = b.id)
          AND NOT EXISTS (SELECT 1 FROM chat.messages AS m WHERE m.sender_id = b.sender_id AND m.client_msg_id = b.client_msg_id)
     ),
     -- Timeline events do not become a room's last message.
     latest AS (
       SELECT DISTINCT ON (room_id) room_id, id, created_at FROM batch WHERE kind = 'message' ORDER BY room_id, id DESC
     ),
     bumped AS (
       UPDATE chat.rooms AS r
          SET last_message_id = GREATEST(COALESCE(r.last_message_id, 0), latest.id),
              last_activity_at = GREATEST(r.last_activity_at, latest.created_at)
         FROM latest
        WHERE r.id = latest.room_id
     )
     SELECT 'stored' AS kind, id::text AS a, NULL AS b FROM stored
     UNION ALL
     SELECT 'conflict', id::text, NULL FROM conflicting
     UNION ALL
     SELECT 'member', m.room_id::text, m.user_id::text
       FROM chat.room_members AS m
      WHERE m.room_id IN (SELECT room_id FROM latest)`,
    [
      messages.map((message) => message.id),
      messages.map((message) => message.roomId),
      messages.map((message) => message.senderId),
      messages.map((message) => message.clientMsgId),
      messages.map((message) => message.body),
      messages.map((message) => message.createdAt),
      messages.map((message) => message.seq),
      messages.map((message) => message.kind ?? 'message'),
      messages.map((message) => message.targetId ?? null),
      messages.map((message) => message.emoji ?? null),
      messages.map((message) => message.replyTo ?? null),
      // One comma-joined string per message: unnest would flatten an array of arrays.
      messages.map((message) => (message.mentions && message.mentions.length > 0 ? message.mentions.join(',') : null)),
    ],
  );
  const insertedIds: string[] = [];
  const conflictingIds: string[] = [];
  const members: RoomMembership[] = [];
  for (const row of rows) {
    if (row.kind === 'stored') insertedIds.push(row.a);
    else if (row.kind === 'conflict') conflictingIds.push(row.a);
    else members.push({ roomId: row.a, userId: row.b! });
  }
  return { insertedIds, conflictingIds, members };
}

/** `storeMessageBatch` for callers that only need to know what was inserted. */
export async function insertMessageBatch(dataSource: DataSource, messages: Message[]): Promise<string[]> {
  return (await storeMessageBatch(dataSource, messages)).insertedIds;
}

export const MESSAGE_COLUMNS =
  'id, seq, room_id, sender_id, client_msg_id, body, created_at, kind, target_id::text AS target_id, emoji, edited_at, deleted_at, state_seq, ' +
  'reply_to_id::text AS reply_to_id, mentions::text[] AS mentions, reply_count, last_reply_at';

/** The highest sequence number stored for a room (0 when it has no message). */
export async function highestStoredSeq(dataSource: DataSource, roomId: string): Promise<number> {
  const [row] = (await dataSource.query('SELECT COALESCE(max(seq), 0)::text AS seq FROM chat.messages WHERE room_id = $1', [roomId])) as Array<{ seq: string }>;
  return Number(row?.seq ?? 0);
}

/**
 * Fills in the reactions of the (not deleted) messages among `items`: per emoji, in the order the
 * emoji were first used, with who reacted in the order they did.
 */
export async function attachReactions(dataSource: DataSource, items: Message[]): Promise<void> {
  const targets = items.filter((item) => (item.kind ?? 'message') === 'message' && !item.deletedAt);
  if (targets.length === 0) return;
  const rows = (await dataSource.query(
    `SELECT message_id::text AS message_id, emoji, array_agg(user_id::text ORDER BY seq) AS user_ids
       FROM chat.message_reactions
      WHERE message_id = ANY($1::bigint[]) AND active
      GROUP BY message_id, emoji
      ORDER BY message_id, min(seq)`,
    [targets.map((item) => item.id)],
  )) as Array<{ message_id: string; emoji: string; user_ids: string[] }>;
  const byId = new Map(targets.map((item) => [item.id, item]));
  for (const row of rows) {
    const item = byId.get(row.message_id);
    if (!item) continue;
    (item.reactions ??= []).push({ emoji: row.emoji, count: row.user_ids.length, userIds: row.user_ids });
  }
}
