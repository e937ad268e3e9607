import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { dayLabel, sameDay } from '../time/date-labels';
import { compareMessageIds, type ChatMessage } from './chat-message';
import type { AttachmentLinkSource } from './attachment-list';
import type { MessageActionHandlers } from './message-actions';
import { MessageRow } from './message-row';
import { threadSummaries } from './reply-threads';
import { itemTime, type TimelineItem } from './timeline';
import { useSeenMessages } from './use-seen-messages';

export interface MessageListProps {
  items: readonly TimelineItem[];
  selfId: string;
  /** Highest message id another member has read (own messages up to it get a double tick). */
  readByOthersUpTo: string | null;
  hasMore: boolean;
  loadingOlder: boolean;
  /** The read marker when the room was opened: the "New messages" line goes before the first message from others after it. */
  unreadLine?: string | undefined;
  /** Unread in this room (shown on "Jump to latest"). */
  unreadCount: number;
  onLoadOlder(): void;
  onRetry(key: string): void;
  /** A message was on screen while the window had focus. */
  onSeen(messageId: string): void;
  onOpenProfile(userId: string): void;
  /** Edit, delete and react on messages (absent: read-only). */
  actions?: MessageActionHandlers;
  /** Signed URLs of files in messages. */
  attachmentLinks?: AttachmentLinkSource;
  /** The caller owns or administers the room (may delete others' messages). */
  canModerate?: boolean;
  nameOf(userId: string): string;
  eventText(item: Extract<TimelineItem, { kind: 'event' }>): string;
  /** Opens a message's thread (its replies). */
  onOpenThread?(message: ChatMessage): void;
  /** A member's username and shown name (mentions). */
  personOf?(userId: string): { username: string; name: string } | undefined;
}

/** Older history is requested when one of the first few rows comes into view. */
const LOAD_OLDER_WITHIN = 5;
const CONTINUED_WITHIN_MS = 5 * 60_000;
/** Room above the first message for "Loading older messages…" / "This is the start…". */
const EDGE_HEIGHT = 32;
/** Closer than this to the bottom counts as "at the latest". */
const AT_BOTTOM_PX = 48;

/**
 * The room's timeline, virtualized (only the rows in view, plus a few, are in the DOM, so it
 * stays smooth at tens of thousands of messages). It opens at the first unread message under a
 * "New messages" line (or at the newest), follows new ones while you are at the bottom, keeps
 * your place when older pages are prepended, offers "Jump to latest" when you are scrolled up,
 * and jumps to the bottom when you send. Day separators head each day; what is on screen while
 * the window has focus is reported as seen.
 */
export function MessageList(props: MessageListProps) {
  const { items, selfId, readByOthersUpTo, hasMore, loadingOlder, unreadLine, unreadCount, onLoadOlder, onRetry, onSeen, onOpenProfile, nameOf, eventText, actions, canModerate, onOpenThread, personOf, attachmentLinks } = props;
  const messages = useMemo(() => items.flatMap((item) => (item.kind === 'message' ? [item.message] : [])), [items]);
  const threads = useMemo(() => threadSummaries(messages), [messages]);
  const quoteNameOf = useCallback((userId: string) => (userId === selfId ? 'You' : nameOf(userId)), [selfId, nameOf]);
  const byId = useMemo(() => new Map(messages.flatMap((message) => (message.id !== null ? [[message.id, message] as const] : []))), [messages]);
  const scroller = useRef<HTMLDivElement>(null);
  const [settled, setSettled] = useState(false);
  const [atBottom, setAtBottom] = useState(true);
  const watchSeen = useSeenMessages(scroller, onSeen);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 64,
    getItemKey: (index) => items[index]?.key ?? index,
    overscan: 8,
    paddingStart: EDGE_HEIGHT,
    anchorTo: 'end',
    followOnAppend: true,
  });
  const rows = virtualizer.getVirtualItems();
  const now = useMemo(() => new Date(), [items]);

  const firstUnreadIndex = useMemo(() => {
    if (unreadLine === undefined) return -1;
    return items.findIndex((item) => item.kind === 'message' && item.message.id !== null && item.message.senderId !== selfId && compareMessageIds(item.message.id, unreadLine) > 0);
  }, [items, unreadLine, selfId]);

  // Open at the first unread message (its line at the top), or at the newest.
  useLayoutEffect(() => {
    if (settled || items.length === 0) return;
    if (firstUnreadIndex >= 0) virtualizer.scrollToIndex(firstUnreadIndex, { align: 'start' });
    else virtualizer.scrollToIndex(items.length - 1, { align: 'end' });
    const frame = requestAnimationFrame(() => setSettled(true));
    return () => cancelAnimationFrame(frame);
  }, [settled, items.length, firstUnreadIndex, virtualizer]);

  // Sending jumps to the bottom, wherever you were.
  const last = items.at(-1);
  const lastOwnPendingKey = last?.kind === 'message' && last.message.senderId === selfId && last.message.id === null ? last.key : null;
  useEffect(() => {
    if (lastOwnPendingKey) virtualizer.scrollToIndex(items.length - 1, { align: 'end' });
  }, [lastOwnPendingKey, items.length, virtualizer]);

  // Upward infinite scroll.
  const firstVisible = rows[0]?.index;
  useEffect(() => {
    if (!settled || firstVisible === undefined) return;
    if (firstVisible < LOAD_OLDER_WITHIN && hasMore && !loadingOlder) onLoadOlder();
  }, [settled, firstVisible, hasMore, loadingOlder, onLoadOlder]);

  const onScroll = useCallback(() => {
    const element = scroller.current;
    if (element) setAtBottom(element.scrollHeight - element.scrollTop - element.clientHeight < AT_BOTTOM_PX);
  }, []);

  const jumpToLatest = () => {
    virtualizer.scrollToIndex(items.length - 1, { align: 'end' });
    scroller.current?.focus();
  };

  return (
    <div className="message-list">
      <div ref={scroller} className="message-scroller" role="log" aria-label="Messages" aria-live="polite" aria-relevant="additions" tabIndex={0} onScroll={onScroll}>
        {items.length === 0 && <p className="empty-room">No messages yet. Say hello!</p>}
        <div className="message-canvas" style={{ height: virtualizer.getTotalSize() }}>
          <p className="history-edge" role="status" style={{ height: EDGE_HEIGHT }}>
            {loadingOlder ? 'Loading older messages…' : !hasMore && items.length > 0 ? 'This is the start of the conversation.' : ''}
          </p>
          {rows.map((row) => {
            const item = items[row.index];
            if (!item) return null;
            const previous = items[row.index - 1];
            const time = new Date(itemTime(item));
            const newDay = !previous || !sameDay(new Date(itemTime(previous)), time);
            const messageId = item.kind === 'message' ? (item.message.id ?? undefined) : undefined;
            return (
              <div
                key={row.key}
                data-index={row.index}
                data-message-id={messageId}
                ref={(element) => {
                  virtualizer.measureElement(element);
                  return messageId ? watchSeen(element) : undefined;
                }}
                className="message-slot"
                style={{ transform: `translateY(${row.start}px)` }}
              >
                {newDay && !Number.isNaN(time.getTime()) && (
                  <div className="day-separator" role="separator" aria-label={dayLabel(time, now)}>
                    <span aria-hidden="true">{dayLabel(time, now)}</span>
                  </div>
                )}
                {row.index === firstUnreadIndex && (
                  <div className="new-messages-line" role="separator" aria-label="New messages" data-testid="new-messages-line">
                    <span aria-hidden="true">New messages</span>
                  </div>
                )}
                {item.kind === 'message' ? (
                  <MessageRow
                    message={item.message}
                    own={item.message.senderId === selfId}
                    continued={!newDay && row.index !== firstUnreadIndex && continues(previous, item)}
                    senderName={nameOf(item.message.senderId)}
                    readByOthersUpTo={readByOthersUpTo}
                    onRetry={onRetry}
                    onOpenProfile={onOpenProfile}
                    actions={actions}
                    attachmentLinks={attachmentLinks}
                    selfId={selfId}
                    canModerate={canModerate ?? false}
                    thread={item.message.id !== null ? threads.get(item.message.id) : undefined}
                    parent={item.message.replyTo ? byId.get(item.message.replyTo) : undefined}
                    onOpenThread={onOpenThread}
                    personOf={personOf}
                    nameOf={quoteNameOf}
                  />
                ) : (
                  <p className="room-event" dir="auto">
                    {eventText(item)}
                  </p>
                )}
              </div>
            );
          })}
        </div>
      </div>
      {!atBottom && settled && (
        <button type="button" className="jump-to-latest" onClick={jumpToLatest}>
          Jump to latest{unreadCount > 0 ? ` (${unreadCount})` : ''}
        </button>
      )}
    </div>
  );
}

function continues(previous: TimelineItem | undefined, item: Extract<TimelineItem, { kind: 'message' }>): boolean {
  return (
    previous?.kind === 'message' &&
    previous.message.senderId === item.message.senderId &&
    Date.parse(item.message.createdAt) - Date.parse(previous.message.createdAt) < CONTINUED_WITHIN_MS
  );
}
