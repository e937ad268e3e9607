import type { Message, RoomSummary } from '@parley/contracts';
import { compareMessageIds, maxMessageId } from '../messages/chat-message';

/** Most recent activity first; ties by id so the order never flickers. */
export function sortRoomsByActivity(rooms: readonly RoomSummary[]): RoomSummary[] {
  return [...rooms].sort((a, b) => {
    const byActivity = Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt);
    return byActivity !== 0 && Number.isFinite(byActivity) ? byActivity : a.id.localeCompare(b.id);
  });
}

export interface IncomingContext {
  selfId: string;
  /** The person has this room open and is looking at it: nothing becomes unread. */
  viewing: boolean;
}

/**
 * A room's summary after a message arrived: newest message and activity time, and one more
 * unread when someone else wrote it and it is new to us (a duplicate delivery, or an older
 * message filled in after a reconnect, does not count twice).
 */
export function applyIncomingMessage(room: RoomSummary, message: Message, context: IncomingContext): RoomSummary {
  const isNewest = !room.lastMessage || compareMessageIds(message.id, room.lastMessage.id) > 0;
  if (!isNewest) return room;
  const unseen = !room.lastReadMessageId || compareMessageIds(message.id, room.lastReadMessageId) > 0;
  const countsAsUnread = message.senderId !== context.selfId && !context.viewing && unseen;
  return {
    ...room,
    lastMessage: message,
    lastActivityAt: laterTime(room.lastActivityAt, message.createdAt),
    unreadCount: countsAsUnread ? room.unreadCount + 1 : room.unreadCount,
    lastReadMessageId: message.senderId === context.selfId || context.viewing ? maxMessageId(room.lastReadMessageId, message.id) : room.lastReadMessageId,
  };
}

/** The caller read up to `messageId` (here or in another tab): the marker only moves forward. */
export function applyOwnReadMarker(room: RoomSummary, messageId: string): RoomSummary {
  const marker = maxMessageId(room.lastReadMessageId, messageId);
  const caughtUp = !room.lastMessage || compareMessageIds(marker ?? '0', room.lastMessage.id) >= 0;
  if (marker === room.lastReadMessageId && (!caughtUp || room.unreadCount === 0)) return room;
  return { ...room, lastReadMessageId: marker, unreadCount: caughtUp ? 0 : room.unreadCount };
}

/** Sum of unread messages over every room (the window title shows it). */
export function totalUnread(rooms: readonly RoomSummary[]): number {
  return rooms.reduce((sum, room) => sum + room.unreadCount, 0);
}

function laterTime(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}
