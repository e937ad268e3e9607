import { useEffect, useMemo, useState } from 'react';
import type { RoomSummary } from '@parley/contracts';
import { useChatController, useChatSelector } from '../store/chat-context';
import { fullDateTime, relativeTime } from '../time/date-labels';
import { Avatar } from '../ui/avatar';
import { plainMessageText } from '../messages/message-text-format';
import { FormAlert } from '../ui/form-alert';
import { directPartnerId, displayNameOf, roomTitle } from '../room-model/room-title';
import { sortRoomsByActivity } from '../room-model/room-summaries';

export interface RoomListProps {
  onOpen(roomId: string): void;
}

/** How often "5 min ago" is brought up to date. */
const CLOCK_TICK_MS = 30_000;

/**
 * The person's rooms, most recent activity first, each with its newest message, how long ago,
 * and the unread count. Each room is a button whose accessible name is its visible text (name,
 * then the rest), so speech input and screen readers agree.
 */
export function RoomList({ onOpen }: RoomListProps) {
  const rooms = useChatSelector((state) => state.rooms);
  const controller = useChatController();
  const loaded = useChatSelector((state) => state.roomsLoaded);
  const error = useChatSelector((state) => state.roomsError);
  const activeRoomId = useChatSelector((state) => state.activeRoomId);
  const selfId = useChatSelector((state) => state.selfId);
  const profiles = useChatSelector((state) => state.profiles);
  const presence = useChatSelector((state) => state.presence);
  const ordered = useMemo(() => sortRoomsByActivity(Object.values(rooms)), [rooms]);
  const [now, setNow] = useState(() => new Date());
  const profileOf = (id: string) => profiles[id];

  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }, []);

  if (error && !loaded) {
    return (
      <div className="room-list-status">
        <FormAlert>Your rooms could not be loaded. {error}</FormAlert>
        <button type="button" onClick={() => void controller.loadRooms()}>
          Try again
        </button>
      </div>
    );
  }
  if (!loaded) return <p className="room-list-status" role="status">Loading rooms…</p>;
  if (ordered.length === 0) {
    return <p className="room-list-status">No rooms yet. Start a direct chat from People, create a group, or join a public room.</p>;
  }
  return (
    <ul className="room-list" aria-label="Rooms">
      {ordered.map((room) => {
        const title = roomTitle(room, selfId, profileOf);
        const partner = directPartnerId(room, selfId);
        const online = partner ? presence[partner] === 'online' : undefined;
        const activity = new Date(room.lastMessage?.createdAt ?? room.lastActivityAt);
        return (
          <li key={room.id}>
            <button type="button" className="room-item" aria-current={room.id === activeRoomId ? 'true' : undefined} onClick={() => onOpen(room.id)}>
              <span className="room-avatar">
                <Avatar name={title} url={room.kind === 'group' ? room.avatarUrl : partner ? profiles[partner]?.avatarUrl : undefined} fallback={room.kind === 'group' ? '#' : undefined} />
                {online !== undefined && <span className={online ? 'presence-dot online' : 'presence-dot'} aria-hidden="true" />}
              </span>
              <span className="room-text">
                <span className="room-name-line">
                  <span className="room-name" dir="auto">
                    {title}
                  </span>
                  {online && <span className="visually-hidden">, online</span>}
                  {room.muted && <span className="room-muted">, muted</span>}
                  {!Number.isNaN(activity.getTime()) && (
                    <time className="room-time" dateTime={activity.toISOString()} title={fullDateTime(activity)}>
                      <span className="visually-hidden">, </span>
                      {relativeTime(activity, now)}
                    </time>
                  )}
                </span>
                <span className="room-preview" dir="auto">
                  <span className="visually-hidden">, </span>
                  {preview(room, selfId, (id) => displayNameOf(profileOf(id), id))}
                </span>
              </span>
              {(room.mentionCount ?? 0) > 0 && (
                <span className="badge badge-mention" data-testid="mention-badge">
                  <span className="visually-hidden">, </span>@{room.mentionCount}
                  <span className="visually-hidden"> mentions</span>
                </span>
              )}
              {room.unreadCount > 0 && (
                <span className={room.muted ? 'badge badge-muted' : 'badge'} data-testid="unread-badge">
                  <span className="visually-hidden">, </span>
                  {room.unreadCount > 99 ? '99+' : room.unreadCount}
                  <span className="visually-hidden"> unread</span>
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function preview(room: RoomSummary, selfId: string, nameOf: (id: string) => string): string {
  const message = room.lastMessage;
  if (!message) return room.kind === 'group' ? `${room.memberCount} members` : 'No messages yet';
  const who = message.senderId === selfId ? 'You' : room.kind === 'group' ? nameOf(message.senderId) : '';
  const body = message.deletedAt ? 'Message deleted' : plainMessageText(message.body);
  return who ? `${who}: ${body}` : body;
}
