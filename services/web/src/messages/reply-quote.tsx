import type { ReplyQuote as Quote } from '@parley/contracts';
import { MessageText } from './message-text';

export interface ReplyQuoteProps {
  quote: Quote;
  /** The parent as this client holds it now (its own edits and deletion win over the quote). */
  parent?: { body: string; deletedAt?: string | undefined; senderId: string } | undefined;
  nameOf(userId: string): string;
  onOpen?(): void;
}

/** The message a reply answers, above the reply (and in the composer): who wrote it and how it began, or that it was deleted. */
export function ReplyQuote({ quote, parent, nameOf, onOpen }: ReplyQuoteProps) {
  const deleted = parent ? Boolean(parent.deletedAt) : quote.deleted;
  const excerpt = parent ? parent.body.slice(0, 140) : quote.excerpt;
  const content = (
    <>
      <span className="visually-hidden">Replying to </span>
      <span className="reply-quote-author">{nameOf(quote.senderId)}</span>{' '}
      {deleted ? <em className="reply-quote-deleted">Message deleted</em> : <span className="reply-quote-text" dir="auto">
          <MessageText body={excerpt} compact />
        </span>}
    </>
  );
  return onOpen ? (
    <button type="button" className="reply-quote link-like" onClick={onOpen}>
      {content}
    </button>
  ) : (
    <div className="reply-quote">
      {content}
    </div>
  );
}
