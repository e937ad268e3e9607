import type { RoomEvent, RoomEventKind } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import type { Logger } from '@parley/logger';
import { roomChannel, userChannel } from '../realtime/channels.js';
import type { ChatServer } from '../realtime/socket-types.js';

interface RoomEventRow {
  id: string;
  room_id: string;
  kind: RoomEventKind;
  actor_id: string | null;
  user_id: string | null;
  data: RoomEvent['data'];
  created_at: Date;
}

export interface NewRoomEvent {
  roomId: string;
  kind: RoomEventKind;
  actorId: string | null;
  userId?: string | null;
  data?: RoomEvent['data'];
}

const COLUMNS = 'id::text AS id, room_id, kind, actor_id, user_id, data, created_at';

function toRoomEvent(row: RoomEventRow): RoomEvent {
  return {
    id: row.id,
    roomId: row.room_id,
    kind: row.kind,
    actorId: row.actor_id,
    userId: row.user_id,
    data: row.data ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * A room's timeline of membership and settings changes ("Ana added Ben", "Cy left"): stored in
 * `chat.room_events`, so a client that reloads shows them too, and announced live as `room:event`
 * to the room (and to `alsoTo`, e.g. a member who was just removed and no longer hears the room).
 */
export class RoomEventLog {
  constructor(
    private readonly dataSource: DataSource,
    private readonly io: ChatServer,
    private readonly logger: Logger,
  ) {}

  /** Records and announces; a failure is logged, never fails the change it describes. */
  async record(event: NewRoomEvent, alsoTo: string[] = []): Promise<RoomEvent | undefined> {
    try {
      const [row]: RoomEventRow[] = await this.dataSource.query(
        `INSERT INTO chat.room_events (room_id, kind, actor_id, user_id, data) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [event.roomId, event.kind, event.actorId, event.userId ?? null, event.data ? JSON.stringify(event.data) : null],
      );
      const stored = toRoomEvent(row!);
      this.io.to([roomChannel(event.roomId), ...alsoTo.map(userChannel)]).emit('room:event', stored);
      return stored;
    } catch (error) {
      this.logger.warn({ err: error, roomId: event.roomId, kind: event.kind }, 'cannot record a room event');
      return undefined;
    }
  }

  /** The newest `limit` events before `before` (an event id), returned oldest first. */
  async page(roomId: string, limit: number, before?: string): Promise<{ events: RoomEvent[]; hasMore: boolean }> {
    const rows: RoomEventRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM chat.room_events
        WHERE room_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
        ORDER BY id DESC LIMIT $3`,
      [roomId, before ?? null, limit + 1],
    );
    return { events: rows.slice(0, limit).reverse().map(toRoomEvent), hasMore: rows.length > limit };
  }
}
