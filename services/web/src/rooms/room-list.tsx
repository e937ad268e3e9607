import { useMemo } from 'react';
import type { RoomSummary } from '@parley/contracts';
import { useChatController, useChatSelector } from '../store/chat-context';
import { FormAlert } from '../ui/form-alert';
import { directPartnerId, displayNameOf, roomTitle } from './room-title';
import { sortRoomsByActivity } from './room-summaries';

export interface RoomListProps {
  onOpen(roomId: string): void;
}

/** The person's rooms, most recent activity first, each with its newest message and unread count. */
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
  const profileOf = (id: string) => profiles[id];

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
    return (
      <p className="room-list-status">No rooms yet. Start a direct chat from People, create a group, or join a public room.</p>
    );
  }
  return (
    <ul className="room-list" aria-label="Rooms">
      {ordered.map((room) => {
        const title = roomTitle(room, selfId, profileOf);
        const partner = directPartnerId(room, selfId);
        const online = partner ? presence[partner] === 'online' : undefined;
        return (
          <li key={room.id}>
            <button
              type="button"
              className="room-item"
              aria-current={room.id === activeRoomId ? 'true' : undefined}
              aria-label={`${title}${room.unreadCount > 0 ? `, ${room.unreadCount} unread` : ''}${online ? ', online' : ''}`}
              onClick={() => onOpen(room.id)}
            >
              <span className="room-avatar" aria-hidden="true">
                {room.kind === 'group' ? '#' : title.charAt(0).toUpperCase()}
                {online !== undefined && <span className={online ? 'presence-dot online' : 'presence-dot'} />}
              </span>
              <span className="room-text">
                <span className="room-name">{title}</span>
                <span className="room-preview">{preview(room, selfId, (id) => displayNameOf(profileOf(id), id))}</span>
              </span>
              {room.unreadCount > 0 && (
                <span className="badge" data-testid="unread-badge">
                  {room.unreadCount > 99 ? '99+' : room.unreadCount}
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
  return who ? `${who}: ${message.body}` : message.body;
}
