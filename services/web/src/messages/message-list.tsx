import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ChatMessage } from './chat-message';
import { MessageRow } from './message-row';

export interface MessageListProps {
  messages: readonly ChatMessage[];
  selfId: string;
  /** Highest message id another member has read (own messages up to it get a double tick). */
  readByOthersUpTo: string | null;
  hasMore: boolean;
  loadingOlder: boolean;
  onLoadOlder(): void;
  onRetry(key: string): void;
  nameOf(userId: string): string;
}

/** Older history is requested when one of the first few rows comes into view. */
const LOAD_OLDER_WITHIN = 5;
const CONTINUED_WITHIN_MS = 5 * 60_000;
/** Room above the first message for "Loading older messages…" / "This is the start…". */
const EDGE_HEIGHT = 32;

/**
 * The room's history, virtualized (only the rows in view, plus a few, are in the DOM, so it
 * stays smooth at tens of thousands of messages). It opens at the newest message, follows new
 * ones while you are at the bottom, keeps your place when older pages are prepended above, and
 * jumps to the bottom when you send.
 */
export function MessageList({ messages, selfId, readByOthersUpTo, hasMore, loadingOlder, onLoadOlder, onRetry, nameOf }: MessageListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [settled, setSettled] = useState(false);
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 64,
    getItemKey: (index) => messages[index]?.key ?? index,
    overscan: 8,
    paddingStart: EDGE_HEIGHT,
    anchorTo: 'end',
    followOnAppend: true,
  });
  const items = virtualizer.getVirtualItems();

  // Open at the newest message, once there is something to show.
  useLayoutEffect(() => {
    if (settled || messages.length === 0) return;
    virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
    const frame = requestAnimationFrame(() => setSettled(true));
    return () => cancelAnimationFrame(frame);
  }, [settled, messages.length, virtualizer]);

  // Sending jumps to the bottom, wherever you were.
  const last = messages.at(-1);
  const lastOwnPendingKey = last && last.senderId === selfId && last.id === null ? last.key : null;
  useEffect(() => {
    if (lastOwnPendingKey) virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
  }, [lastOwnPendingKey, messages.length, virtualizer]);

  // Upward infinite scroll.
  const firstVisible = items[0]?.index;
  useEffect(() => {
    if (!settled || firstVisible === undefined) return;
    if (firstVisible < LOAD_OLDER_WITHIN && hasMore && !loadingOlder) onLoadOlder();
  }, [settled, firstVisible, hasMore, loadingOlder, onLoadOlder]);

  return (
    <div ref={scroller} className="message-scroller" role="log" aria-label="Messages" aria-live="polite" aria-relevant="additions" tabIndex={0}>
      {messages.length === 0 && <p className="empty-room">No messages yet. Say hello!</p>}
      <div className="message-canvas" style={{ height: virtualizer.getTotalSize() }}>
        <p className="history-edge" role="status" style={{ height: EDGE_HEIGHT }}>
          {loadingOlder ? 'Loading older messages…' : !hasMore && messages.length > 0 ? 'This is the start of the conversation.' : ''}
        </p>
        {items.map((item) => {
          const message = messages[item.index];
          if (!message) return null;
          const previous = messages[item.index - 1];
          const continued =
            previous !== undefined &&
            previous.senderId === message.senderId &&
            Date.parse(message.createdAt) - Date.parse(previous.createdAt) < CONTINUED_WITHIN_MS;
          return (
            <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className="message-slot" style={{ transform: `translateY(${item.start}px)` }}>
              <MessageRow
                message={message}
                own={message.senderId === selfId}
                continued={continued}
                senderName={nameOf(message.senderId)}
                readByOthersUpTo={readByOthersUpTo}
                onRetry={onRetry}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}
