import type { Message } from '@parley/contracts';
import type { DataSource } from '@parley/db';

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

/**
 * Inserts a batch in one statement (unnest of arrays: one round trip, one plan), skipping
 * messages already stored by id or by (sender, clientMsgId), so a retried job is harmless.
 * Also moves each room's last activity forward. Returns the ids actually inserted.
 */
export async function insertMessageBatch(dataSource: DataSource, messages: Message[]): Promise<string[]> {
  if (messages.length === 0) return [];
  return dataSource.transaction(async (manager) => {
    const inserted: Array<{ id: string }> = await manager.query(
      `INSERT INTO chat.messages (id, room_id, sender_id, client_msg_id, body, created_at)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[])
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        messages.map((message) => message.id),
        messages.map((message) => message.roomId),
        messages.map((message) => message.senderId),
        messages.map((message) => message.clientMsgId),
        messages.map((message) => message.body),
        messages.map((message) => message.createdAt),
      ],
    );
    const latestByRoom = new Map<string, Message>();
    for (const message of messages) {
      const current = latestByRoom.get(message.roomId);
      if (!current || BigInt(message.id) > BigInt(current.id)) latestByRoom.set(message.roomId, message);
    }
    const latest = [...latestByRoom.values()];
    await manager.query(
      `UPDATE chat.rooms AS r
          SET last_message_id = GREATEST(COALESCE(r.last_message_id, 0), v.id),
              last_activity_at = GREATEST(r.last_activity_at, v.at)
         FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS v(room_id, id, at)
        WHERE r.id = v.room_id`,
      [latest.map((message) => message.roomId), latest.map((message) => message.id), latest.map((message) => message.createdAt)],
    );
    return inserted.map((row) => row.id);
  });
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
