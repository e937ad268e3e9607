import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Message } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { fullDateTime, timeOfDay } from '../time/date-labels';
import { AttachmentList, type AttachmentLinkSource } from './attachment-list';
import { fromServer, type ChatMessage } from './chat-message';
import { MessageText } from './message-text';
import { threadSummaries } from './reply-threads';

export interface ThreadPanelProps {
  /** The message whose replies are shown, as the room holds it. */
  parent: ChatMessage;
  /** The room's messages as this client holds them: live replies appear without a reload. */
  roomItems: readonly ChatMessage[];
  load(): Promise<{ parent: Message; replies: Message[] }>;
  selfId: string;
  nameOf(userId: string): string;
  personOf(userId: string): { username: string; name: string } | undefined;
  onClose(): void;
  /** The composer for replies in this thread. */
  composer: ReactNode;
  /** Signed URLs of the messages' files (absent: files are not shown). */
  attachmentLinks?: AttachmentLinkSource | undefined;
}

/**
 * A message's thread beside the room: the message, its replies in order (from the replies
 * endpoint, plus those that arrive live or by sync), their count and when the last came.
 */
export function ThreadPanel({ parent, roomItems, load, selfId, nameOf, personOf, onClose, composer, attachmentLinks }: ThreadPanelProps) {
  const [loaded, setLoaded] = useState<ChatMessage[]>([]);
  const [error, setError] = useState<string | null>(null);
  const parentId = parent.id;
  useEffect(() => {
    let current = true;
    load()
      .then((page) => current && setLoaded(page.replies.map(fromServer)))
      .catch((failure: unknown) => current && setError(describeError(failure)));
    return () => {
      current = false;
    };
  }, [load, parentId]);

  const replies = useMemo(() => {
    const byKey = new Map<string, ChatMessage>();
    for (const reply of loaded) byKey.set(reply.key, reply);
    // The room's own copies win: they carry later edits, deletions and reactions.
    for (const item of roomItems) if (item.replyTo === parentId) byKey.set(item.key, item);
    return [...byKey.values()].sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
  }, [loaded, roomItems, parentId]);
  const summary = threadSummaries(roomItems).get(parentId ?? '');
  const count = Math.max(summary?.count ?? 0, replies.filter((reply) => reply.id !== null).length);
  const lastReplyAt = summary?.lastReplyAt ?? replies.at(-1)?.createdAt;

  return (
    <aside className="thread-panel" aria-label="Thread">
      <header className="thread-header">
        <h3>Thread</h3>
        <p className="thread-count" data-testid="thread-count">
          {count} {count === 1 ? 'reply' : 'replies'}
          {lastReplyAt && count > 0 ? ` · last ${timeOfDay(new Date(lastReplyAt))}` : ''}
        </p>
        <button type="button" className="icon-button" aria-label="Close thread" onClick={onClose}>
          ×
        </button>
      </header>
      <ol className="thread-messages" tabIndex={0} aria-label="Replies">
        <li className="thread-parent">{line(parent, selfId, nameOf, personOf, attachmentLinks)}</li>
        {replies.map((reply) => (
          <li key={reply.key} className="thread-reply" data-message-id={reply.id ?? undefined}>
            {line(reply, selfId, nameOf, personOf, attachmentLinks)}
          </li>
        ))}
      </ol>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {composer}
    </aside>
  );
}

function line(message: ChatMessage, selfId: string, nameOf: (userId: string) => string, personOf: ThreadPanelProps['personOf'], attachmentLinks?: AttachmentLinkSource) {
  const time = new Date(message.createdAt);
  return (
    <>
      <span className="thread-author">{message.senderId === selfId ? 'You' : nameOf(message.senderId)}</span>{' '}
      <time dateTime={message.createdAt} title={fullDateTime(time)}>
        {timeOfDay(time)}
      </time>
      {message.deletedAt ? (
        <p className="message-body message-deleted">Message deleted</p>
      ) : (
        <div className="message-body" dir="auto">
          <MessageText body={message.body} mentions={message.mentions} selfId={selfId} personOf={personOf} />
        </div>
      )}
      {!message.deletedAt && message.attachments && message.attachments.length > 0 && attachmentLinks && (
        <AttachmentList roomId={message.roomId} attachments={message.attachments} links={attachmentLinks} />
      )}
    </>
  );
}
