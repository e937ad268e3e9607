import type { MessageAttachment } from '@parley/contracts';
import type { DataSource } from '@parley/db';

export interface AttachmentRow {
  id: string;
  room_id: string;
  uploader_id: string;
  name: string;
  kind: 'image' | 'file';
  content_type: string;
  size: string;
  width: number | null;
  height: number | null;
  storage_key: string;
  thumbnail_key: string | null;
  client_msg_id: string | null;
}

export type NewAttachment = Omit<AttachmentRow, 'size' | 'client_msg_id'> & { size: number };

const COLUMNS = 'id, room_id, uploader_id, name, kind, content_type, size, width, height, storage_key, thumbnail_key, client_msg_id';
const A_COLUMNS = COLUMNS.split(', ').map((column) => `a.${column}`).join(', ');

export function toMessageAttachment(row: AttachmentRow): MessageAttachment {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    contentType: row.content_type,
    size: Number(row.size),
    ...(row.width !== null ? { width: row.width } : {}),
    ...(row.height !== null ? { height: row.height } : {}),
    thumbnail: row.thumbnail_key !== null,
  };
}

/** The `chat.attachments` rows (migration 1796850000000). */
export class AttachmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: NewAttachment): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO chat.attachments (id, room_id, uploader_id, name, kind, content_type, size, width, height, storage_key, thumbnail_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [row.id, row.room_id, row.uploader_id, row.name, row.kind, row.content_type, row.size, row.width, row.height, row.storage_key, row.thumbnail_key],
    );
  }

  async find(id: string): Promise<AttachmentRow | null> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM chat.attachments WHERE id = $1`, [id])) as AttachmentRow[];
    return row ?? null;
  }

  /**
   * Claims every id for the sender's message `clientMsgId`, all or none: each must have been
   * uploaded by the sender to this room and be free, or already claimed by this same message
   * (a retried send). Answers the claimed rows in the order of `ids`, or null.
   */
  async claim(ids: string[], uploaderId: string, roomId: string, clientMsgId: string): Promise<AttachmentRow[] | null> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `UPDATE chat.attachments SET client_msg_id = $4, claimed_at = COALESCE(claimed_at, now())
          WHERE id = ANY($1::uuid[]) AND uploader_id = $2 AND room_id = $3 AND (client_msg_id IS NULL OR client_msg_id = $4)
          RETURNING ${COLUMNS}`,
        [ids, uploaderId, roomId, clientMsgId],
      )) as [AttachmentRow[], number] | AttachmentRow[];
      const claimed = normalizeReturning(rows);
      if (claimed.length !== ids.length) {
        // Rolls the partial claim back.
        throw new ClaimRefused();
      }
      const byId = new Map(claimed.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id)!);
    }).catch((error: unknown) => {
      if (error instanceof ClaimRefused) return null;
      throw error;
    });
  }

  /** Frees the claims of a send that was refused (nothing was accepted). */
  async release(ids: string[], uploaderId: string, clientMsgId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE chat.attachments SET client_msg_id = NULL, claimed_at = NULL
        WHERE id = ANY($1::uuid[]) AND uploader_id = $2 AND client_msg_id = $3
          AND NOT EXISTS (SELECT 1 FROM chat.messages AS m WHERE m.sender_id = $2 AND m.client_msg_id = $3)`,
      [ids, uploaderId, clientMsgId],
    );
  }

  /** The files of stored messages, by the (sender, clientMsgId) that claimed them. */
  async ofMessages(messages: Array<{ senderId: string; clientMsgId: string; roomId: string }>): Promise<AttachmentRow[]> {
    if (messages.length === 0) return [];
    return (await this.dataSource.query(
      `SELECT ${A_COLUMNS} FROM chat.attachments AS a
         JOIN unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS m(sender_id, client_msg_id, room_id)
           ON a.uploader_id = m.sender_id AND a.client_msg_id = m.client_msg_id AND a.room_id = m.room_id
        ORDER BY a.claimed_at, a.created_at, a.id`,
      [messages.map((m) => m.senderId), messages.map((m) => m.clientMsgId), messages.map((m) => m.roomId)],
    )) as AttachmentRow[];
  }

  /** The files a stored message carries, once it is deleted (null: the message is not stored, or not deleted yet). */
  async ofDeletedMessage(messageId: string): Promise<AttachmentRow[] | null> {
    const [message] = (await this.dataSource.query('SELECT sender_id, client_msg_id, room_id, deleted_at FROM chat.messages WHERE id = $1', [messageId])) as Array<{
      sender_id: string;
      client_msg_id: string;
      room_id: string;
      deleted_at: Date | null;
    }>;
    if (!message || message.deleted_at === null) return null;
    return this.ofMessages([{ senderId: message.sender_id, clientMsgId: message.client_msg_id, roomId: message.room_id }]);
  }

  /** Whether no stored message carries the upload (free, or claimed by a send that never got stored). */
  async isUnsent(id: string): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `SELECT 1 FROM chat.attachments AS a
        WHERE a.id = $1
          AND (a.client_msg_id IS NULL
               OR NOT EXISTS (SELECT 1 FROM chat.messages AS m WHERE m.sender_id = a.uploader_id AND m.client_msg_id = a.client_msg_id))`,
      [id],
    )) as unknown[];
    return row !== undefined;
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.query('DELETE FROM chat.attachments WHERE id = $1', [id]);
  }
}

class ClaimRefused extends Error {}

/** TypeORM's `query` answers an UPDATE … RETURNING as [rows, count] on PostgreSQL. */
function normalizeReturning(result: [AttachmentRow[], number] | AttachmentRow[]): AttachmentRow[] {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0];
  return result as AttachmentRow[];
}
