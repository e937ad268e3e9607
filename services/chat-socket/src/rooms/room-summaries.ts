import { fetchMessagesByIds } from '@parley/chat-store';
import type { Message, RoomSummary } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import type { RecentWindow } from '../recent-window/recent-window.js';
import { UNREAD_COUNT_CAP, type MyRoomRow, type RoomRepository } from './room-repository.js';
import { toRoomSummary } from './room-views.js';

/**
 * Builds room summaries from PostgreSQL and the recent windows together: the last message
 * and the unread count include messages accepted but not yet persisted.
 */
export class RoomSummaries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rooms: RoomRepository,
    private readonly window: RecentWindow,
    private readonly windowSize: number,
  ) {}

  async build(userId: string, rows: MyRoomRow[]): Promise<RoomSummary[]> {
    if (rows.length === 0) return [];
    const roomIds = rows.map((row) => row.id);
    const directIds = rows.filter((row) => row.kind === 'direct').map((row) => row.id);
    const [memberIds, newest, unreadWindow, persistedLast] = await Promise.all([
      this.rooms.memberIdsOfRooms(directIds),
      this.window.newestOf(roomIds),
      this.window.afterMarkers(
        rows.map((row) => ({ roomId: row.id, afterId: row.last_read_message_id })),
        this.windowSize,
      ),
      fetchMessagesByIds(this.dataSource, rows.flatMap((row) => (row.last_message_id ? [row.last_message_id] : []))),
    ]);
    // Window messages after the marker, from others, that PostgreSQL does not hold yet.
    const candidates = [...unreadWindow.values()].flat().filter((message) => message.senderId !== userId);
    const persisted = await this.rooms.persistedAmong(candidates.map((message) => message.id));

    return rows.map((row) => {
      // Pending: what the row's counts could not include. Not stored by now, or stored after the
      // row was read (newer than the row's last stored message): the worker may store a message
      // between the two reads, and it must then be counted once, not dropped from both.
      const countedUpTo = row.last_message_id ? BigInt(row.last_message_id) : 0n;
      const pending = (unreadWindow.get(row.id) ?? []).filter(
        (message) => message.senderId !== userId && isMessage(message) && (!persisted.has(message.id) || BigInt(message.id) > countedUpTo),
      );
      const stored = row.last_message_id ? persistedLast.get(row.last_message_id) : undefined;
      // An edit, deletion or reaction is not a room's last message (nor unread).
      const newestItem = newest.get(row.id);
      const recent = newestItem && isMessage(newestItem) ? newestItem : undefined;
      return toRoomSummary(row, {
        ...(row.kind === 'direct' ? { memberIds: memberIds.get(row.id) ?? [] } : {}),
        lastMessage: newer(stored, recent) ?? null,
        unreadCount: Math.min(UNREAD_COUNT_CAP, row.unread_persisted + pending.length),
        mentionCount: Math.min(UNREAD_COUNT_CAP, (row.mentions_persisted ?? 0) + pending.filter((message) => message.mentions?.includes(userId)).length),
      });
    });
  }

  async forRoom(userId: string, roomId: string): Promise<RoomSummary | undefined> {
    const row = await this.rooms.myRoom(userId, roomId);
    if (!row) return undefined;
    const [summary] = await this.build(userId, [row]);
    return summary;
  }
}

/** The later of two messages of one room, by the room's sequence. */
function newer(a: Message | undefined, b: Message | undefined): Message | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.seq >= b.seq ? a : b;
}

const isMessage = (item: Message) => (item.kind ?? 'message') === 'message';
