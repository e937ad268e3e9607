import { useCallback, useState } from 'react';
import { MessageComposer } from '../messages/message-composer';
import { MessageList } from '../messages/message-list';
import { useChatController, useChatSelector } from '../store/chat-context';
import { EMPTY_ROOM_MESSAGES } from '../store/chat-state';
import { FormAlert } from '../ui/form-alert';
import { MembersDialog } from './members-dialog';
import { directPartnerId, displayNameOf, roomTitle } from './room-title';
import { TypingIndicator } from './typing-indicator';

export interface RoomViewProps {
  roomId: string;
  onBack(): void;
}

/** One open room: who is in it and online, its history, who is typing, and the composer. */
export function RoomView({ roomId, onBack }: RoomViewProps) {
  const controller = useChatController();
  const room = useChatSelector((state) => state.rooms[roomId]);
  const roomsLoaded = useChatSelector((state) => state.roomsLoaded);
  const history = useChatSelector((state) => state.messages[roomId]) ?? EMPTY_ROOM_MESSAGES;
  const selfId = useChatSelector((state) => state.selfId);
  const profiles = useChatSelector((state) => state.profiles);
  const presence = useChatSelector((state) => state.presence);
  const members = useChatSelector((state) => state.members[roomId]);
  const readByOthers = useChatSelector((state) => state.readByOthers[roomId] ?? null);
  const [showMembers, setShowMembers] = useState(false);

  const nameOf = useCallback((userId: string) => displayNameOf(profiles[userId], userId), [profiles]);
  const loadOlder = useCallback(() => void controller.loadOlder(roomId), [controller, roomId]);
  const retry = useCallback((key: string) => controller.retry(roomId, key), [controller, roomId]);
  const typing = useCallback((isTyping: boolean) => controller.typing(roomId, isTyping), [controller, roomId]);
  const send = useCallback((body: string) => controller.send(roomId, body), [controller, roomId]);

  if (!room && !roomsLoaded) {
    return (
      <section className="room-view">
        <p className="room-loading" role="status">
          Loading…
        </p>
      </section>
    );
  }
  if (!room) {
    return (
      <section className="room-view room-missing">
        <p>This room is not in your list (you may have left it, or been removed).</p>
        <button type="button" onClick={onBack}>
          Back to rooms
        </button>
      </section>
    );
  }

  const title = roomTitle(room, selfId, (id) => profiles[id]);
  const partner = directPartnerId(room, selfId);
  const onlineCount = members?.filter((member) => presence[member.userId] === 'online').length;
  const subtitle = partner
    ? presence[partner] === 'online'
      ? 'online'
      : 'offline'
    : `${room.memberCount} member${room.memberCount === 1 ? '' : 's'}${onlineCount !== undefined ? `, ${onlineCount} online` : ''}`;

  return (
    <section className="room-view" aria-labelledby="room-title">
      <header className="room-header">
        <button type="button" className="icon-button back-button" onClick={onBack} aria-label="Back to rooms">
          ←
        </button>
        <div className="room-heading">
          <h2 id="room-title">{title}</h2>
          <p className="room-subtitle" data-testid="room-presence">
            {partner && <span className={presence[partner] === 'online' ? 'presence-dot online' : 'presence-dot'} aria-hidden="true" />}
            {subtitle}
          </p>
        </div>
        <button type="button" onClick={() => setShowMembers(true)}>
          {room.kind === 'group' ? 'Members' : 'Details'}
        </button>
      </header>
      {history.error && <FormAlert>{history.error}</FormAlert>}
      {!history.loaded && !history.error ? (
        <p className="room-loading" role="status">
          Loading messages…
        </p>
      ) : (
        <MessageList
          key={roomId}
          messages={history.items}
          selfId={selfId}
          readByOthersUpTo={readByOthers}
          hasMore={history.hasMore}
          loadingOlder={history.loadingOlder}
          onLoadOlder={loadOlder}
          onRetry={retry}
          nameOf={nameOf}
        />
      )}
      <TypingIndicator roomId={roomId} />
      <MessageComposer roomName={title} onSend={send} onTyping={typing} />
      {showMembers && <MembersDialog room={room} onClose={() => setShowMembers(false)} onLeft={onBack} />}
    </section>
  );
}
