import type { Message } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import { toMessage } from './message-store.js';

/** Persisted messages by id (used for rooms' last messages). */
export async function fetchMessagesByIds(dataSource: DataSource, ids: string[]): Promise<Map<string, Message>> {
  const result = new Map<string, Message>();
  if (ids.length === 0) return result;
  const rows = await dataSource.query(
    `SELECT id::text AS id, seq, room_id, sender_id, client_msg_id, body, created_at FROM chat.messages WHERE id = ANY($1::bigint[])`,
    [ids],
  );
  for (const row of rows) result.set(row.id, toMessage(row));
  return result;
}
