import { randomUUID } from 'node:crypto';
import type { MemberRole } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import type { EntityManager } from 'typeorm';

export interface RoomRow {
  id: string;
  kind: 'direct' | 'group';
  name: string | null;
  visibility: 'private' | 'public';
  created_by: string;
  created_at: Date;
  last_activity_at: Date;
  member_count: number;
  last_message_id: string | null;
  topic: string | null;
  avatar_url: string | null;
  /** last_activity_at in microseconds, as text: the list cursor. */
  activity_us: string;
}

export interface MyRoomRow extends RoomRow {
  last_read_message_id: string | null;
  muted: boolean;
  /** Persisted messages after my marker not sent by me (capped). */
  unread_persisted: number;
  /** Of those, the ones that mention the caller. */
  mentions_persisted: number;
}

export interface MemberRow {
  user_id: string;
  role: MemberRole;
  joined_at: Date;
  last_read_message_id: string | null;
}

export const ROOM_COLUMNS = `r.id, r.kind, r.name, r.visibility, r.created_by, r.created_at, r.last_activity_at, r.member_count,
  r.last_message_id::text AS last_message_id, r.topic, r.avatar_url,
  floor(extract(epoch FROM r.last_activity_at) * 1000000)::bigint::text AS activity_us`;

/** Counting unread messages stops here; clients show "999+" anyway. */
export const UNREAD_COUNT_CAP = 9_999;

/** Unread stored messages that mention the caller (`$1`), with the same bounds as the unread count. */
const MENTION_COUNT_SQL = `(SELECT count(*)::int FROM (
                 SELECT 1 FROM chat.messages x
                  WHERE x.room_id = r.id AND x.id > COALESCE(m.last_read_message_id, 0) AND x.sender_id <> $1 AND x.kind = 'message'
                    AND x.mentions @> ARRAY[$1::uuid] AND x.deleted_at IS NULL
                  LIMIT ${UNREAD_COUNT_CAP}) mentioned) AS mentions_persisted`;

/** Rooms and memberships in the `chat` schema: parameterised SQL only. */
export class RoomRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findRoom(roomId: string): Promise<RoomRow | undefined> {
    const rows: RoomRow[] = await this.dataSource.query(`SELECT ${ROOM_COLUMNS} FROM chat.rooms r WHERE r.id = $1`, [roomId]);
    return rows[0];
  }

  async roleOf(roomId: string, userId: string): Promise<MemberRole | undefined> {
    const rows: Array<{ role: MemberRole }> = await this.dataSource.query(
      'SELECT role FROM chat.room_members WHERE room_id = $1 AND user_id = $2',
      [roomId, userId],
    );
    return rows[0]?.role;
  }

  async roomIdsOf(userId: string): Promise<string[]> {
    const rows: Array<{ room_id: string }> = await this.dataSource.query(
      'SELECT room_id FROM chat.room_members WHERE user_id = $1',
      [userId],
    );
    return rows.map((row) => row.room_id);
  }

  /** Notifications waiting for a user (a deleted account), mentions pending for an email digest included. */
  async deleteNotificationsOf(userId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM chat.notifications WHERE user_id = $1', [userId]);
    await this.dataSource.query('DELETE FROM chat.mention_digest_items WHERE user_id = $1', [userId]);
  }

  /** Which of these (room, user) pairs are memberships: a set of `roomId:userId`. */
  async membershipsAmong(pairs: Array<{ roomId: string; userId: string }>): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const rows: Array<{ room_id: string; user_id: string }> = await this.dataSource.query(
      `SELECT m.room_id, m.user_id FROM chat.room_members m
         JOIN unnest($1::uuid[], $2::uuid[]) AS p(room_id, user_id) ON p.room_id = m.room_id AND p.user_id = m.user_id`,
      [pairs.map((pair) => pair.roomId), pairs.map((pair) => pair.userId)],
    );
    return new Set(rows.map((row) => `${row.room_id}:${row.user_id}`));
  }

  /** Which rooms of this list the user belongs to. */
  async memberRoomsAmong(userId: string, roomIds: string[]): Promise<Set<string>> {
    if (roomIds.length === 0) return new Set();
    const rows: Array<{ room_id: string }> = await this.dataSource.query(
      'SELECT room_id FROM chat.room_members WHERE user_id = $1 AND room_id = ANY($2::uuid[])',
      [userId, roomIds],
    );
    return new Set(rows.map((row) => row.room_id));
  }

  /** For each existing room id: its two users if it is a direct room, null for a group room. */
  async directPairsOf(roomIds: string[]): Promise<Map<string, [string, string] | null>> {
    if (roomIds.length === 0) return new Map();
    const rows: Array<{ id: string; direct_key: string | null }> = await this.dataSource.query(
      'SELECT id, direct_key FROM chat.rooms WHERE id = ANY($1::uuid[])',
      [roomIds],
    );
    return new Map(rows.map((row) => [row.id, row.direct_key ? (row.direct_key.split(':') as [string, string]) : null]));
  }

  /** The one direct room of a pair, created (with both members) when missing. */
  async findOrCreateDirect(creatorId: string, otherId: string): Promise<{ room: RoomRow; created: boolean; joined: string[] }> {
    const directKey = [creatorId, otherId].sort().join(':');
    return this.dataSource.transaction(async (manager) => {
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO chat.rooms (id, kind, visibility, created_by, direct_key, member_count)
         VALUES ($1, 'direct', 'private', $2, $3, 0)
         ON CONFLICT (direct_key) DO NOTHING RETURNING id`,
        [randomUUID(), creatorId, directKey],
      );
      const [row]: Array<{ id: string }> = await manager.query('SELECT id FROM chat.rooms WHERE direct_key = $1', [directKey]);
      const roomId = row!.id;
      // Also restores a member who had left the conversation.
      const joined = await insertMembers(manager, roomId, [creatorId, otherId], 'member');
      if (joined.length > 0) await refreshMemberCount(manager, roomId);
      const [room]: RoomRow[] = await manager.query(`SELECT ${ROOM_COLUMNS} FROM chat.rooms r WHERE r.id = $1`, [roomId]);
      return { room: room!, created: inserted.length > 0, joined };
    });
  }

  async createGroup(settings: { creatorId: string; name: string; visibility: 'private' | 'public'; memberIds: string[] }): Promise<RoomRow> {
    return this.dataSource.transaction(async (manager) => {
      const roomId = randomUUID();
      await manager.query(
        `INSERT INTO chat.rooms (id, kind, name, name_lower, visibility, created_by, member_count)
         VALUES ($1, 'group', $2, lower($2), $3, $4, 0)`,
        [roomId, settings.name, settings.visibility, settings.creatorId],
      );
      await insertMembers(manager, roomId, [settings.creatorId], 'owner');
      await insertMembers(manager, roomId, settings.memberIds, 'member');
      await refreshMemberCount(manager, roomId);
      const [room]: RoomRow[] = await manager.query(`SELECT ${ROOM_COLUMNS} FROM chat.rooms r WHERE r.id = $1`, [roomId]);
      return room!;
    });
  }

  /** Adds members; returns those who were not members before. */
  async addMembers(roomId: string, userIds: string[]): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const added = await insertMembers(manager, roomId, userIds, 'member');
      if (added.length > 0) await refreshMemberCount(manager, roomId);
      return added;
    });
  }

  /** Removes a member; when the last owner goes, the longest-standing admin (or member) becomes owner. */
  async removeMember(roomId: string, userId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const removed = returnedRows<{ role: MemberRole }>(
        await manager.query('DELETE FROM chat.room_members WHERE room_id = $1 AND user_id = $2 RETURNING role', [roomId, userId]),
      );
      if (removed.length === 0) return false;
      if (removed[0]!.role === 'owner') {
        await manager.query(
          `UPDATE chat.room_members SET role = 'owner'
            WHERE room_id = $1
              AND NOT EXISTS (SELECT 1 FROM chat.room_members WHERE room_id = $1 AND role = 'owner')
              AND user_id = (SELECT user_id FROM chat.room_members WHERE room_id = $1
                              ORDER BY (role = 'admin') DESC, joined_at, user_id LIMIT 1)`,
          [roomId],
        );
      }
      await refreshMemberCount(manager, roomId);
      return true;
    });
  }

  async listMembers(roomId: string): Promise<MemberRow[]> {
    return this.dataSource.query(
      'SELECT user_id, role, joined_at, last_read_message_id::text AS last_read_message_id FROM chat.room_members WHERE room_id = $1 ORDER BY joined_at, user_id',
      [roomId],
    );
  }

  async memberIdsOfRooms(roomIds: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (roomIds.length === 0) return result;
    const rows: Array<{ room_id: string; user_id: string }> = await this.dataSource.query(
      'SELECT room_id, user_id FROM chat.room_members WHERE room_id = ANY($1::uuid[]) ORDER BY user_id',
      [roomIds],
    );
    for (const row of rows) result.set(row.room_id, [...(result.get(row.room_id) ?? []), row.user_id]);
    return result;
  }

  /** The caller's rooms by last activity, newest first; `after` is the previous page's last (activity_us, id). */
  async listRoomsOf(userId: string, limit: number, after?: { activityUs: string; id: string }): Promise<MyRoomRow[]> {
    return this.dataSource.query(
      `SELECT ${ROOM_COLUMNS}, m.last_read_message_id::text AS last_read_message_id, m.muted,
              (SELECT count(*)::int FROM (
                 SELECT 1 FROM chat.messages x
                  WHERE x.room_id = r.id AND x.id > COALESCE(m.last_read_message_id, 0) AND x.sender_id <> $1 AND x.kind = 'message'
                  LIMIT ${UNREAD_COUNT_CAP}) unread) AS unread_persisted,
              ${MENTION_COUNT_SQL}
         FROM chat.room_members m JOIN chat.rooms r ON r.id = m.room_id
        WHERE m.user_id = $1
          AND ($2::bigint IS NULL OR (floor(extract(epoch FROM r.last_activity_at) * 1000000)::bigint, r.id) < ($2::bigint, $3::uuid))
        ORDER BY floor(extract(epoch FROM r.last_activity_at) * 1000000)::bigint DESC, r.id DESC
        LIMIT $4`,
      [userId, after?.activityUs ?? null, after?.id ?? null, limit],
    );
  }

  async myRoom(userId: string, roomId: string): Promise<MyRoomRow | undefined> {
    const rows: MyRoomRow[] = await this.dataSource.query(
      `SELECT ${ROOM_COLUMNS}, m.last_read_message_id::text AS last_read_message_id, m.muted,
              (SELECT count(*)::int FROM (
                 SELECT 1 FROM chat.messages x
                  WHERE x.room_id = r.id AND x.id > COALESCE(m.last_read_message_id, 0) AND x.sender_id <> $1 AND x.kind = 'message'
                  LIMIT ${UNREAD_COUNT_CAP}) unread) AS unread_persisted,
              ${MENTION_COUNT_SQL}
         FROM chat.room_members m JOIN chat.rooms r ON r.id = m.room_id
        WHERE m.user_id = $1 AND m.room_id = $2`,
      [userId, roomId],
    );
    return rows[0];
  }

  /** Public rooms by name prefix (case-insensitive), in name order; `after` is the previous page's last (name, id). */
  async searchPublic(prefixPattern: string | undefined, limit: number, after?: { name: string; id: string }): Promise<RoomRow[]> {
    return this.dataSource.query(
      `SELECT ${ROOM_COLUMNS}, r.name_lower FROM chat.rooms r
        WHERE r.visibility = 'public'
          AND ($1::text IS NULL OR r.name_lower LIKE $1 ESCAPE '\\')
          AND ($2::text IS NULL OR (r.name_lower, r.id) > ($2::text, $3::uuid))
        ORDER BY r.name_lower, r.id
        LIMIT $4`,
      [prefixPattern ?? null, after?.name ?? null, after?.id ?? null, limit],
    );
  }

  /** Moves the read marker forward only. Undefined when the user is not a member. */
  async markRead(roomId: string, userId: string, messageId: string): Promise<{ previous: string | null; current: string } | undefined> {
    const result: unknown = await this.dataSource.query(
      `WITH old AS (
         SELECT last_read_message_id FROM chat.room_members WHERE room_id = $1 AND user_id = $2 FOR UPDATE
       )
       UPDATE chat.room_members m
          SET last_read_message_id = GREATEST(COALESCE(m.last_read_message_id, 0), $3::bigint)
         FROM old
        WHERE m.room_id = $1 AND m.user_id = $2
        RETURNING old.last_read_message_id::text AS previous, m.last_read_message_id::text AS current`,
      [roomId, userId, messageId],
    );
    return returnedRows<{ previous: string | null; current: string }>(result)[0];
  }

  /** Of these message ids, those already persisted. */
  async persistedAmong(messageIds: string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const rows: Array<{ id: string }> = await this.dataSource.query(
      'SELECT id::text AS id FROM chat.messages WHERE id = ANY($1::bigint[])',
      [messageIds],
    );
    return new Set(rows.map((row) => row.id));
  }
}

/** TypeORM answers UPDATE and DELETE with `[rows, rowCount]` (other statements with the rows). */
export function returnedRows<Row>(result: unknown): Row[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
  return result as Row[];
}

async function insertMembers(manager: EntityManager, roomId: string, userIds: string[], role: MemberRole): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows: Array<{ user_id: string }> = await manager.query(
    `INSERT INTO chat.room_members (room_id, user_id, role)
     SELECT $1, u, $3 FROM unnest($2::uuid[]) AS u
     ON CONFLICT DO NOTHING RETURNING user_id`,
    [roomId, [...new Set(userIds)], role],
  );
  return rows.map((row) => row.user_id);
}

async function refreshMemberCount(manager: EntityManager, roomId: string): Promise<void> {
  await manager.query(
    'UPDATE chat.rooms SET member_count = (SELECT count(*) FROM chat.room_members WHERE room_id = $1) WHERE id = $1',
    [roomId],
  );
}
