import type { MemberRole } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import { returnedRows, ROOM_COLUMNS, type RoomRow } from './room-repository.js';

/** Group settings, member roles and each member's own preferences, in `chat.rooms` and `chat.room_members`. */
export class RoomSettingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Changes a group's name, topic or picture; `undefined` fields stay as they are. */
  async updateSettings(roomId: string, patch: { name?: string; topic?: string | null; avatarUrl?: string | null }): Promise<RoomRow | undefined> {
    const rows: RoomRow[] = await this.dataSource.query(
      `UPDATE chat.rooms r
          SET name = CASE WHEN $2::boolean THEN $3 ELSE r.name END,
              name_lower = CASE WHEN $2::boolean THEN lower($3) ELSE r.name_lower END,
              topic = CASE WHEN $4::boolean THEN $5 ELSE r.topic END,
              avatar_url = CASE WHEN $6::boolean THEN $7 ELSE r.avatar_url END
        WHERE r.id = $1
        RETURNING ${ROOM_COLUMNS}`,
      [roomId, patch.name !== undefined, patch.name ?? null, patch.topic !== undefined, patch.topic ?? null, patch.avatarUrl !== undefined, patch.avatarUrl ?? null],
    );
    return returnedRows<RoomRow>(rows)[0];
  }

  /** Sets a non-owner member's role; false when the user is not such a member. */
  async setRole(roomId: string, userId: string, role: Exclude<MemberRole, 'owner'>): Promise<boolean> {
    const rows = returnedRows<{ user_id: string }>(
      await this.dataSource.query(
        `UPDATE chat.room_members SET role = $3 WHERE room_id = $1 AND user_id = $2 AND role <> 'owner' RETURNING user_id`,
        [roomId, userId, role],
      ),
    );
    return rows.length > 0;
  }

  /** The member's own mute; false when not a member. */
  async setMuted(roomId: string, userId: string, muted: boolean): Promise<boolean> {
    const rows = returnedRows<{ user_id: string }>(
      await this.dataSource.query('UPDATE chat.room_members SET muted = $3 WHERE room_id = $1 AND user_id = $2 RETURNING user_id', [roomId, userId, muted]),
    );
    return rows.length > 0;
  }
}
