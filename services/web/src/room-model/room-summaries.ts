import type { Message, RoomSummary } from '@parley/contracts';
import { compareMessageIds, maxMessageId } from '../messages/chat-message';

/** Most recent activity first; ties by id so the order never flickers. */
export function sortRoomsByActivity(rooms: readonly RoomSummary[]): RoomSummary[] {
  return [...rooms].sort((a, b) => {
    const byActivity = Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt);
    return byActivity !== 0 && Number.isFinite(byActivity) ? byActivity : a.id.localeCompare(b.id);
  });
}

/**
 * A room's summary after a message arrived: newest message and activity time, and one more
 * unread when someone else wrote it and it is new to us (a duplicate delivery, or an older
 * message filled in after a reconnect, does not count twice). It stays unread, even in the open
 * room, until it has been seen on screen (messages/use-seen-messages.ts).
 */
export function applyIncomingMessage(room: RoomSummary, message: Message, selfId: string): RoomSummary {
  const isNewest = !room.lastMessage || compareMessageIds(message.id, room.lastMessage.id) > 0;
  if (!isNewest) return room;
  const unseen = !room.lastReadMessageId || compareMessageIds(message.id, room.lastReadMessageId) > 0;
  const own = message.senderId === selfId;
  return {
    ...room,
    lastMessage: message,
    lastActivityAt: laterTime(room.lastActivityAt, message.createdAt),
    unreadCount: !own && unseen ? room.unreadCount + 1 : room.unreadCount,
    ...(!own && unseen && message.mentions?.includes(selfId) ? { mentionCount: (room.mentionCount ?? 0) + 1 } : {}),
    lastReadMessageId: own ? maxMessageId(room.lastReadMessageId, message.id) : room.lastReadMessageId,
  };
}

/** An edit or deletion of the room's last message changes its preview. */
export function applyTimelineEvent(room: RoomSummary, event: Message): RoomSummary {
  const last = room.lastMessage;
  if (!last || event.targetId !== last.id || last.deletedAt) return room;
  if (event.kind === 'delete') return { ...room, lastMessage: { ...last, body: '', deletedAt: event.createdAt } };
  if (event.kind === 'edit') return { ...room, lastMessage: { ...last, body: event.body, editedAt: event.createdAt } };
  return room;
}

/** The caller read up to `messageId` (here or in another tab): the marker only moves forward. */
export function applyOwnReadMarker(room: RoomSummary, messageId: string): RoomSummary {
  const marker = maxMessageId(room.lastReadMessageId, messageId);
  const caughtUp = !room.lastMessage || compareMessageIds(marker ?? '0', room.lastMessage.id) >= 0;
  if (marker === room.lastReadMessageId && (!caughtUp || room.unreadCount === 0)) return room;
  return { ...room, lastReadMessageId: marker, unreadCount: caughtUp ? 0 : room.unreadCount, ...(caughtUp ? { mentionCount: 0 } : {}) };
}

/** Sum of unread messages over every room that is not muted (the window title and favicon show it). */
export function totalUnread(rooms: readonly RoomSummary[]): number {
  return rooms.reduce((sum, room) => sum + (room.muted ? 0 : room.unreadCount), 0);
}

function laterTime(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}
