import { useEffect, useRef, useState } from 'react';
import type { Message } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { useAuth } from '../auth/auth-context';
import { AttachmentList } from '../messages/attachment-list';
import { fullDateTime } from '../time/date-labels';
import { MessageText } from '../messages/message-text';
import { FormAlert } from '../ui/form-alert';
import { messagesAround } from './search-api';

export interface MessageContextViewProps {
  roomId: string;
  messageId: string;
  nameOf(userId: string): string;
  /** Back to the room's live timeline. */
  onLeave(): void;
}

/**
 * A search hit in its room: the messages before and after it, loaded from the server around it,
 * the hit highlighted and scrolled into the middle of the view, with their files. Read-only; "Back to the latest
 * messages" returns to the live timeline.
 */
export function MessageContextView({ roomId, messageId, nameOf, onLeave }: MessageContextViewProps) {
  const { api } = useAuth();
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hit = useRef<HTMLLIElement>(null);

  useEffect(() => {
    let current = true;
    setMessages(null);
    setError(null);
    messagesAround(api, roomId, messageId).then(
      (page) => current && setMessages(page.messages.filter((message) => (message.kind ?? 'message') === 'message')),
      (failure: unknown) => current && setError(describeError(failure, 'room')),
    );
    return () => {
      current = false;
    };
  }, [api, roomId, messageId]);

  useEffect(() => {
    if (!messages || !hit.current) return;
    hit.current.scrollIntoView({ block: 'center' });
    hit.current.focus({ preventScroll: true });
  }, [messages]);

  return (
    <section className="message-context" aria-label="Search result in context">
      <div className="message-context-bar">
        <span>Search result in context</span>
        <button type="button" onClick={onLeave}>
          Back to the latest messages
        </button>
      </div>
      <FormAlert>{error}</FormAlert>
      {!messages && !error && (
        <p className="room-loading" role="status">
          Loading messages…
        </p>
      )}
      {messages && (
        <ol className="message-context-list">
          {messages.map((message) => {
            const focused = message.id === messageId;
            return (
              <li
                key={message.id}
                ref={focused ? hit : undefined}
                tabIndex={focused ? -1 : undefined}
                aria-current={focused ? 'true' : undefined}
                data-message-id={message.id}
                className={focused ? 'message-context-item search-hit-message' : 'message-context-item'}
              >
                <span className="message-context-meta">
                  <strong dir="auto">{nameOf(message.senderId)}</strong> <time dateTime={message.createdAt}>{fullDateTime(new Date(message.createdAt))}</time>
                  {message.editedAt && ' · edited'}
                </span>
                <div className="message-body" dir="auto">
                  {message.deletedAt ? <em>This message was deleted.</em> : <MessageText body={message.body} />}
                </div>
                {!message.deletedAt && message.attachments && message.attachments.length > 0 && (
                  <AttachmentList roomId={message.roomId} attachments={message.attachments} links={api.attachmentLinks} />
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
