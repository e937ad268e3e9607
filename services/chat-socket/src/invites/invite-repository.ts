import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RoomInvite } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import { returnedRows } from '../rooms/room-repository.js';

interface InviteRow {
  id: string;
  room_id: string;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  uses: number;
}

const COLUMNS = 'id, room_id, created_by, created_at, expires_at, revoked_at, uses';

export function toRoomInvite(row: InviteRow): RoomInvite {
  return {
    id: row.id,
    roomId: row.room_id,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    uses: row.uses,
  };
}

/** Only the hash is stored: whoever reads the table cannot use the links. */
function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Invite links in `chat.room_invites`: a random token per link, expiring, revocable. */
export class InviteRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(roomId: string, createdBy: string, expiresAt: Date): Promise<{ invite: RoomInvite; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const [row]: InviteRow[] = await this.dataSource.query(
      `INSERT INTO chat.room_invites (id, room_id, token_hash, created_by, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [randomUUID(), roomId, tokenHash(token), createdBy, expiresAt],
    );
    return { invite: toRoomInvite(row!), token };
  }

  async listForRoom(roomId: string, limit = 50): Promise<RoomInvite[]> {
    const rows: InviteRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM chat.room_invites WHERE room_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [roomId, limit],
    );
    return rows.map(toRoomInvite);
  }

  /** Revokes a link of this room; false when there is no such link. Revoking twice keeps the first time. */
  async revoke(roomId: string, inviteId: string): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await this.dataSource.query(
        'UPDATE chat.room_invites SET revoked_at = COALESCE(revoked_at, now()) WHERE room_id = $1 AND id = $2 RETURNING id',
        [roomId, inviteId],
      ),
    );
    return rows.length > 0;
  }

  /** The link for a token if it can still be used (not revoked, not expired). */
  async findUsable(token: string): Promise<RoomInvite | undefined> {
    const rows: InviteRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM chat.room_invites WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
      [tokenHash(token)],
    );
    return rows[0] ? toRoomInvite(rows[0]) : undefined;
  }

  async countUse(inviteId: string): Promise<void> {
    await this.dataSource.query('UPDATE chat.room_invites SET uses = uses + 1 WHERE id = $1', [inviteId]);
  }
}
