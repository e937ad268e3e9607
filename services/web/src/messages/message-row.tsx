import { memo } from 'react';
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
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export const MessageRow = memo(function MessageRow({ message, own, continued, senderName, readByOthersUpTo, onRetry }: MessageRowProps) {
  const state = own ? tickState(message, readByOthersUpTo) : null;
  const time = new Date(message.createdAt);
  return (
    <article
      className={`message${own ? ' message-own' : ''}${continued ? ' message-continued' : ''}`}
      data-state={state ?? 'received'}
      data-message-id={message.id ?? undefined}
    >
      {!continued && <div className="message-sender">{own ? 'You' : senderName}</div>}
      <div className="message-bubble">
        <p className="message-body">{message.body}</p>
        <span className="message-meta">
          <time dateTime={message.createdAt}>{Number.isNaN(time.getTime()) ? '' : timeFormat.format(time)}</time>
          {state && state !== 'failed' && <DeliveryTicks state={state} />}
        </span>
      </div>
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
