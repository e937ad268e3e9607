import { memo, useCallback, useState } from 'react';
import { fullDateTime, timeOfDay } from '../time/date-labels';
import { AttachmentList, type AttachmentLinkSource } from './attachment-list';
import type { ChatMessage } from './chat-message';
import { DeliveryTicks, tickState } from './delivery-ticks';
import { MessageActions, type MessageActionHandlers } from './message-actions';
import { MessageText } from './message-text';
import { ReplyQuote } from './reply-quote';
import { useLongPress } from './use-long-press';
import type { ThreadSummary } from './reply-threads';

export interface MessageRowProps {
  message: ChatMessage;
  own: boolean;
  /** Hide the name when the previous message is from the same person. */
  continued: boolean;
  senderName: string;
  readByOthersUpTo: string | null;
  onRetry(key: string): void;
  onOpenProfile(userId: string): void;
  /** Edit, delete and react (absent: the message is shown read-only). */
  actions?: MessageActionHandlers | undefined;
  selfId?: string;
  canModerate?: boolean;
  /** Replies to this message, as this client can count them (reply-threads.ts). */
  thread?: ThreadSummary | undefined;
  /** The message this one replies to, when this client holds it. */
  parent?: ChatMessage | undefined;
  onOpenThread?(message: ChatMessage): void;
  /** A member's username and shown name (mentions). */
  personOf?(userId: string): { username: string; name: string } | undefined;
  nameOf?(userId: string): string;
  /** Signed URLs of the message's files (absent: files are listed by name only). */
  attachmentLinks?: AttachmentLinkSource | undefined;
}

export const MessageRow = memo(function MessageRow(props: MessageRowProps) {
  const { message, own, continued, senderName, readByOthersUpTo, onRetry, onOpenProfile, actions, selfId, canModerate, thread, parent, onOpenThread, personOf, nameOf, attachmentLinks } = props;
  const mentionsMe = selfId !== undefined && (message.mentions?.includes(selfId) ?? false) && !message.deletedAt;
  const state = own ? tickState(message, readByOthersUpTo) : null;
  const time = new Date(message.createdAt);
  const valid = !Number.isNaN(time.getTime());
  const [sheetOpen, setSheetOpen] = useState(false);
  const closeSheet = useCallback(() => setSheetOpen(false), []);
  const actionable = actions !== undefined && selfId !== undefined && message.id !== null && !message.deletedAt;
  const press = useLongPress(() => setSheetOpen(true));
  return (
    <article
      className={`message${own ? ' message-own' : ''}${continued ? ' message-continued' : ''}${mentionsMe ? ' message-mentions-me' : ''}`}
      data-state={state ?? 'received'}
      data-message-id={message.id ?? undefined}
      {...(actionable ? press : {})}
    >
      {!continued &&
        (own ? (
          <div className="message-sender">You</div>
        ) : (
          <button type="button" className="message-sender link-like" dir="auto" onClick={() => onOpenProfile(message.senderId)}>
            {senderName}
          </button>
        ))}
      <div className="message-bubble">
        {message.replyTo && (message.replyQuote || parent) && (
          <ReplyQuote
            quote={message.replyQuote ?? { messageId: message.replyTo, senderId: parent!.senderId, excerpt: parent!.body, deleted: Boolean(parent!.deletedAt) }}
            parent={parent}
            nameOf={nameOf ?? (() => 'someone')}
            {...(onOpenThread && parent ? { onOpen: () => onOpenThread(parent) } : {})}
          />
        )}
        {message.deletedAt ? (
          <p className="message-body message-deleted" data-testid="message-deleted">
            Message deleted
          </p>
        ) : (
          <div className="message-body" dir="auto">
            <MessageText body={message.body} mentions={message.mentions} selfId={selfId} personOf={personOf} />
          </div>
        )}
        {!message.deletedAt && message.attachments && message.attachments.length > 0 && attachmentLinks && (
          <AttachmentList roomId={message.roomId} attachments={message.attachments} links={attachmentLinks} />
        )}
        <span className="message-meta">
          {message.editedAt && !message.deletedAt && (
            <span className="message-edited" title={fullDateTime(new Date(message.editedAt))}>
              edited
            </span>
          )}
          <time dateTime={message.createdAt} title={valid ? fullDateTime(time) : undefined}>
            {valid ? timeOfDay(time) : ''}
          </time>
          {state && state !== 'failed' && <DeliveryTicks state={state} />}
        </span>
      </div>
      {thread && thread.count > 0 && message.id !== null && (
        <button type="button" className="thread-summary link-like" onClick={() => onOpenThread?.(message)}>
          {thread.count} {thread.count === 1 ? 'reply' : 'replies'}
          {thread.lastReplyAt && <span className="thread-last"> · last {timeOfDay(new Date(thread.lastReplyAt))}</span>}
        </button>
      )}
      {actions && selfId !== undefined && (
        <MessageActions
          message={message}
          own={own}
          canModerate={canModerate ?? false}
          selfId={selfId}
          actions={actions}
          nameOf={nameOf}
          sheetOpen={sheetOpen && actionable}
          onSheetClose={closeSheet}
        />
      )}
      {state === 'queued' && <div className="message-waiting">Waiting for the connection; it will be sent by itself.</div>}
      {state === 'failed' && (
        <div className="message-failure" role="alert">
          <span>Not sent: {message.error ?? 'unknown error'}</span>{' '}
          <button type="button" onClick={() => onRetry(message.key)}>
            Retry
          </button>
        </div>
      )}
    </article>
  );
});
