import { useCallback, useMemo, useState } from 'react';
import type { MessageAttachment } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { Drafts } from '../messages/drafts';
import { MessageComposer } from '../messages/message-composer';
import type { MessageActionHandlers } from '../messages/message-actions';
import { MessageList } from '../messages/message-list';
import { ReplyQuote } from '../messages/reply-quote';
import { ThreadPanel } from '../messages/thread-panel';
import type { ChatMessage } from '../messages/chat-message';
import { buildTimeline, type TimelineItem } from '../messages/timeline';
import { useChatController, useChatSelector } from '../store/chat-context';
import { EMPTY_ROOM_MESSAGES } from '../store/chat-state';
import { Avatar } from '../ui/avatar';
import { FormAlert } from '../ui/form-alert';
import { MembersDialog } from './members-dialog';
import { roomEventText } from './room-event-text';
import { RoomSettingsDialog } from './room-settings-dialog';
import { directPartnerId, displayNameOf, roomTitle } from '../room-model/room-title';
import { TypingIndicator } from './typing-indicator';
import { MessageContextView } from '../search/message-context-view';

export interface RoomViewProps {
  roomId: string;
  onBack(): void;
  onOpenProfile(userId: string): void;
  /** A search hit to show in context instead of the live timeline. */
  focusMessageId?: string | undefined;
  /** Opens message search scoped to this room. */
  onSearch?(): void;
  /** Leaves the search hit for the live timeline. */
  onLeaveFocus?(): void;
}

const NO_EVENTS: never[] = [];

/** One open room: who is in it and online, its timeline, who is typing, and the composer. */
export function RoomView({ roomId, onBack, onOpenProfile, focusMessageId, onSearch, onLeaveFocus }: RoomViewProps) {
  const controller = useChatController();
  const room = useChatSelector((state) => state.rooms[roomId]);
  const roomsLoaded = useChatSelector((state) => state.roomsLoaded);
  const history = useChatSelector((state) => state.messages[roomId]) ?? EMPTY_ROOM_MESSAGES;
  const events = useChatSelector((state) => state.roomEvents[roomId]) ?? NO_EVENTS;
  const unreadLine = useChatSelector((state) => state.unreadLine[roomId]);
  const selfId = useChatSelector((state) => state.selfId);
  const profiles = useChatSelector((state) => state.profiles);
  const presence = useChatSelector((state) => state.presence);
  const connection = useChatSelector((state) => state.connection);
  const members = useChatSelector((state) => state.members[roomId]);
  const readByOthers = useChatSelector((state) => state.readByOthers[roomId] ?? null);
  const [dialog, setDialog] = useState<'members' | 'settings' | null>(null);
  const [muteError, setMuteError] = useState<string | null>(null);
  // The message the next one replies to, and the message whose thread is open (ids: the room's copies stay current).
  const [replyTo, setReplyTo] = useState<string | null>(null);
  const [threadOf, setThreadOf] = useState<string | null>(null);
  const drafts = useMemo(() => new Drafts(selfId), [selfId]);

  const nameOf = useCallback((userId: string) => displayNameOf(profiles[userId], userId), [profiles]);
  const loadOlder = useCallback(() => void controller.loadOlder(roomId), [controller, roomId]);
  const retry = useCallback((key: string) => controller.retry(roomId, key), [controller, roomId]);
  const typing = useCallback((isTyping: boolean) => controller.typing(roomId, isTyping), [controller, roomId]);
  const send = useCallback(
    (body: string, attachments?: MessageAttachment[]) => {
      controller.send(roomId, body, replyTo ?? undefined, attachments);
      setReplyTo(null);
    },
    [controller, roomId, replyTo],
  );
  const sendInThread = useCallback(
    (body: string, attachments?: MessageAttachment[]) => threadOf && controller.send(roomId, body, threadOf, attachments),
    [controller, roomId, threadOf],
  );
  const loadThread = useCallback((beforeSeq?: number) => controller.thread(roomId, threadOf ?? '', beforeSeq), [controller, roomId, threadOf]);
  const openThread = useCallback((message: ChatMessage) => message.id && setThreadOf(message.id), []);
  const personOf = useCallback(
    (userId: string) => {
      const profile = profiles[userId];
      return profile ? { username: profile.username, name: displayNameOf(profile, userId) } : undefined;
    },
    [profiles],
  );
  const memberProfiles = useMemo(() => (members ?? []).flatMap((member) => (profiles[member.userId] ? [profiles[member.userId]!] : [])), [members, profiles]);
  const upload = useCallback(
    (file: File, onProgress: (sent: number, total: number) => void) => controller.uploadAttachment(roomId, file, onProgress),
    [controller, roomId],
  );
  const attachmentLinks = useCallback((room: string, attachmentId: string) => controller.attachmentLinks(room, attachmentId), [controller]);
  const seen = useCallback((messageId: string) => controller.markSeen(roomId, messageId), [controller, roomId]);
  const saveDraft = useCallback((text: string) => drafts.set(roomId, text), [drafts, roomId]);
  const eventText = useCallback((item: Extract<TimelineItem, { kind: 'event' }>) => roomEventText(item.event, selfId, nameOf), [selfId, nameOf]);
  const actions = useMemo<MessageActionHandlers>(
    () => ({
      edit: (message, body) => controller.editMessage(roomId, message.id!, body),
      remove: (message) => controller.deleteMessage(roomId, message.id!),
      react: (message, emoji, add) => controller.react(roomId, message.id!, emoji, add),
      reply: (message) => message.id && setReplyTo(message.id),
    }),
    [controller, roomId],
  );
  const canModerate = members?.some((member) => member.userId === selfId && (member.role === 'owner' || member.role === 'admin')) ?? false;
  const items = useMemo(() => buildTimeline(history.items, events, history.hasMore), [history.items, events, history.hasMore]);
  const replyParent = replyTo ? history.items.find((item) => item.id === replyTo) : undefined;
  const threadParent = threadOf ? history.items.find((item) => item.id === threadOf) : undefined;

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
  const partnerPresence = partner ? presence[partner] : undefined;
  const onlineCount = connection === 'offline' ? undefined : members?.filter((member) => presence[member.userId] === 'online').length;
  const subtitle = partner
    ? partnerPresence === 'online'
      ? 'online'
      : partnerPresence === 'offline'
        ? 'offline'
        : ''
    : `${room.memberCount} member${room.memberCount === 1 ? '' : 's'}${onlineCount !== undefined ? `, ${onlineCount} online` : ''}`;

  const toggleMute = async () => {
    setMuteError(null);
    try {
      await controller.setMuted(roomId, !room.muted);
    } catch (failure) {
      setMuteError(describeError(failure, 'room'));
    }
  };

  return (
    <section className="room-view" aria-labelledby="room-title">
      <header className="room-header">
        <button type="button" className="icon-button back-button" onClick={onBack} aria-label="Back to rooms">
          ←
        </button>
        <Avatar name={title} url={room.kind === 'group' ? room.avatarUrl : partner ? profiles[partner]?.avatarUrl : undefined} fallback={room.kind === 'group' ? '#' : undefined} />
        <div className="room-heading">
          <h2 id="room-title" dir="auto">
            {title}
          </h2>
          <p className="room-subtitle" data-testid="room-presence">
            {partner && <span className={partnerPresence === 'online' ? 'presence-dot online' : 'presence-dot'} aria-hidden="true" />}
            {subtitle}
            {room.topic && (
              <span className="room-topic" dir="auto">
                {' · '}
                {room.topic}
              </span>
            )}
          </p>
        </div>
        <div className="room-actions">
        {onSearch && (
          <button type="button" onClick={onSearch} aria-label="Search this room">
            Search
          </button>
        )}
        <button type="button" aria-pressed={room.muted === true} onClick={() => void toggleMute()} title={room.muted ? 'Notifications are off for this room' : undefined}>
          {room.muted ? 'Muted' : 'Mute'}
        </button>
        {room.kind === 'group' && (
          <button type="button" onClick={() => setDialog('settings')}>
            Settings
          </button>
        )}
        <button type="button" onClick={() => (partner ? onOpenProfile(partner) : setDialog('members'))}>
          {room.kind === 'group' ? 'Members' : 'Details'}
        </button>
        </div>
      </header>
      <FormAlert>{muteError}</FormAlert>
      {history.error && <FormAlert>{history.error}</FormAlert>}
      {focusMessageId ? (
        <MessageContextView roomId={roomId} messageId={focusMessageId} nameOf={nameOf} onLeave={() => onLeaveFocus?.()} />
      ) : !history.opened && !history.error ? (
        <p className="room-loading" role="status">
          Loading messages…
        </p>
      ) : (
        <MessageList
          key={roomId}
          items={items}
          selfId={selfId}
          readByOthersUpTo={readByOthers}
          hasMore={history.hasMore}
          loadingOlder={history.loadingOlder}
          unreadLine={unreadLine}
          unreadCount={room.unreadCount}
          onLoadOlder={loadOlder}
          onRetry={retry}
          onSeen={seen}
          onOpenProfile={onOpenProfile}
          nameOf={nameOf}
          eventText={eventText}
          actions={actions}
          attachmentLinks={attachmentLinks}
          canModerate={canModerate}
          onOpenThread={openThread}
          personOf={personOf}
        />
      )}
      <TypingIndicator roomId={roomId} />
      <MessageComposer
        roomName={title}
        onSend={send}
        onUpload={upload}
        onTyping={typing}
        draft={drafts.get(roomId)}
        onDraftChange={saveDraft}
        members={memberProfiles}
        selfId={selfId}
        {...(replyParent ? { replying: <ReplyQuote quote={quoteOf(replyParent)} parent={replyParent} nameOf={(userId) => (userId === selfId ? 'You' : nameOf(userId))} />, onCancelReply: () => setReplyTo(null) } : {})}
      />
      {threadParent && (
        <ThreadPanel
          key={threadParent.id}
          parent={threadParent}
          roomItems={history.items}
          load={loadThread}
          selfId={selfId}
          nameOf={nameOf}
          personOf={personOf}
          onClose={() => setThreadOf(null)}
          attachmentLinks={attachmentLinks}
          composer={<MessageComposer roomName={title} label="Reply in thread" onSend={sendInThread} onUpload={upload} onTyping={typing} members={memberProfiles} selfId={selfId} />}
        />
      )}
      {dialog === 'members' && <MembersDialog room={room} onClose={() => setDialog(null)} onLeft={onBack} onOpenProfile={onOpenProfile} />}
      {dialog === 'settings' && <RoomSettingsDialog room={room} onClose={() => setDialog(null)} />}
    </section>
  );
}

/** The quote of a message this client holds (the composer's "Replying to"). */
function quoteOf(message: ChatMessage) {
  return { messageId: message.id ?? '', senderId: message.senderId, excerpt: message.body.slice(0, 140), deleted: Boolean(message.deletedAt) };
}
