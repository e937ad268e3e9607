import { memo } from 'react';
import { fullDateTime, timeOfDay } from '../time/date-labels';
import type { ChatMessage } from './chat-message';
import { DeliveryTicks, tickState } from './delivery-ticks';

export interface MessageRowProps {
  message: ChatMessage;
  own: boolean;
  /** Hide the name when the previous message is from the same person. */
  continued: boolean;
  senderName: string;
  readByOthersUpTo: string | null;
  onRetry(key: string): void;
  onOpenProfile(userId: string): void;
}

export const MessageRow = memo(function MessageRow({ message, own, continued, senderName, readByOthersUpTo, onRetry, onOpenProfile }: MessageRowProps) {
  const state = own ? tickState(message, readByOthersUpTo) : null;
  const time = new Date(message.createdAt);
  const valid = !Number.isNaN(time.getTime());
  return (
    <article
      className={`message${own ? ' message-own' : ''}${continued ? ' message-continued' : ''}`}
      data-state={state ?? 'received'}
      data-message-id={message.id ?? undefined}
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
        <p className="message-body" dir="auto">
          {message.body}
        </p>
        <span className="message-meta">
          <time dateTime={message.createdAt} title={valid ? fullDateTime(time) : undefined}>
            {valid ? timeOfDay(time) : ''}
          </time>
          {state && state !== 'failed' && <DeliveryTicks state={state} />}
        </span>
      </div>
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
