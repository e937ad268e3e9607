import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Message } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { fullDateTime, timeOfDay } from '../time/date-labels';
import { AttachmentList, type AttachmentLinkSource } from './attachment-list';
import { fromServer, type ChatMessage } from './chat-message';
import { MessageText } from './message-text';
import { threadSummaries } from './reply-threads';
import { earlierPageCursor, threadReplies, withEarlierPage } from './thread-pages';

export interface ThreadPanelProps {
  /** The message whose replies are shown, as the room holds it. */
  parent: ChatMessage;
  /** The room's messages as this client holds them: live replies appear without a reload. */
  roomItems: readonly ChatMessage[];
  /** A page of the thread: the latest replies, or those before `beforeSeq`. */
  load(beforeSeq?: number): Promise<{ parent: Message; replies: Message[]; hasMore: boolean }>;
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
 * A message's thread beside the room: the message, its latest replies in order (from the
 * replies endpoint, plus those that arrive live or by sync), "Load earlier replies" while the
 * server has more, their count and when the last came. Earlier pages are cut by sequence number
 * below the first reply read, so replies that keep arriving never shift or repeat them.
 */
export function ThreadPanel({ parent, roomItems, load, selfId, nameOf, personOf, onClose, composer, attachmentLinks }: ThreadPanelProps) {
  const [loaded, setLoaded] = useState<ChatMessage[]>([]);
  const [hasEarlier, setHasEarlier] = useState(false);
  const [loadingEarlier, setLoadingEarlier] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const live = useRef(true);
  const parentId = parent.id;
  useEffect(() => {
    live.current = true;
    load()
      .then((page) => {
        if (!live.current) return;
        setLoaded(page.replies.map(fromServer));
        setHasEarlier(page.hasMore);
      })
      .catch((failure: unknown) => live.current && setError(describeError(failure)));
    return () => {
      live.current = false;
    };
  }, [load, parentId]);

  const loadEarlier = async () => {
    const beforeSeq = earlierPageCursor(loaded);
    if (beforeSeq === undefined || loadingEarlier) return;
    setLoadingEarlier(true);
    setError(null);
    try {
      const page = await load(beforeSeq);
      if (!live.current) return;
      setLoaded((current) => withEarlierPage(current, page.replies.map(fromServer)));
      setHasEarlier(page.hasMore);
    } catch (failure) {
      if (live.current) setError(describeError(failure));
    } finally {
      if (live.current) setLoadingEarlier(false);
    }
  };

  // While earlier pages exist, the panel starts at the first reply read (see threadReplies).
  const fromSeq = hasEarlier ? earlierPageCursor(loaded) : undefined;
  const replies = useMemo(() => threadReplies(loaded, roomItems, parentId, fromSeq), [loaded, roomItems, parentId, fromSeq]);
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
        {hasEarlier && (
          <li className="thread-earlier">
            <button type="button" className="link-like" onClick={() => void loadEarlier()} disabled={loadingEarlier}>
              {loadingEarlier ? 'Loading earlier replies…' : 'Load earlier replies'}
            </button>
          </li>
        )}
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
