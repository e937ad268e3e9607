import type { Message } from '@parley/contracts';
import { queryPrepared, type DataSource } from '@parley/db';

interface MessageRow {
  id: string;
  room_id: string;
  sender_id: string;
  client_msg_id: string;
  body: string;
  created_at: Date;
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    roomId: row.room_id,
    senderId: row.sender_id,
    clientMsgId: row.client_msg_id,
    body: row.body,
    createdAt: row.created_at.toISOString(),
  };
}

/** A member of a room a stored batch wrote to (who may need a notification). */
export interface RoomMembership {
  roomId: string;
  userId: string;
}

export interface StoredBatch {
  /** The ids this call inserted (the others were stored before: a retried job). */
  insertedIds: string[];
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
  if (messages.length === 0) return { insertedIds: [], members: [] };
  const rows = await queryPrepared<{ kind: 'stored' | 'member'; a: string; b: string | null }>(
    dataSource,
    'parley_store_message_batch',
    `WITH batch AS (
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[])
                AS b(id, room_id, sender_id, client_msg_id, body, created_at)
     ),
     stored AS (
       INSERT INTO chat.messages (id, room_id, sender_id, client_msg_id, body, created_at)
       SELECT id, room_id, sender_id, client_msg_id, body, created_at FROM batch
       ON CONFLICT DO NOTHING
       RETURNING id
     ),
     latest AS (
       SELECT DISTINCT ON (room_id) room_id, id, created_at FROM batch ORDER BY room_id, id DESC
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
    ],
  );
  const insertedIds: string[] = [];
  const members: RoomMembership[] = [];
  for (const row of rows) {
    if (row.kind === 'stored') insertedIds.push(row.a);
    else members.push({ roomId: row.a, userId: row.b! });
  }
  return { insertedIds, members };
}

/** `storeMessageBatch` for callers that only need to know what was inserted. */
export async function insertMessageBatch(dataSource: DataSource, messages: Message[]): Promise<string[]> {
  return (await storeMessageBatch(dataSource, messages)).insertedIds;
}

export interface HistoryPage {
  before?: string;
  after?: string;
  limit: number;
}

/**
 * A page of a room's history in ascending id order. `before` pages backwards (newest first
 * under the cursor), `after` forwards; one extra row tells whether there is more.
 */
export async function fetchMessagePage(dataSource: DataSource, roomId: string, page: HistoryPage): Promise<{ messages: Message[]; hasMore: boolean }> {
  const limit = page.limit + 1;
  let rows: MessageRow[];
  if (page.after !== undefined) {
    rows = await dataSource.query(
      `SELECT id, room_id, sender_id, client_msg_id, body, created_at FROM chat.messages
        WHERE room_id = $1 AND id > $2 ORDER BY id ASC LIMIT $3`,
      [roomId, page.after, limit],
    );
    const hasMore = rows.length > page.limit;
    return { messages: rows.slice(0, page.limit).map(toMessage), hasMore };
  }
  rows = await dataSource.query(
    `SELECT id, room_id, sender_id, client_msg_id, body, created_at FROM chat.messages
      WHERE room_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [roomId, page.before ?? null, limit],
  );
  const hasMore = rows.length > page.limit;
  return { messages: rows.slice(0, page.limit).reverse().map(toMessage), hasMore };
}
