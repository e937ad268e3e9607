import type { Message, ThreadQuery, ThreadResponse } from '@parley/contracts';
import { attachReplyQuotes, fetchReplyPage, fetchStoredMessage, type ReplyPageRequest } from '@parley/chat-store';
import type { DataSource } from '@parley/db';
import { ForbiddenError, NotFoundError } from '@parley/errors';
import type { RecentWindow } from '../recent-window/recent-window.js';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { ReplyMetrics } from './reply-metrics.js';

/** What a thread page asks for (threadQuerySchema: one cursor at most). */
export type ThreadPage = Pick<ThreadQuery, 'afterSeq' | 'beforeSeq' | 'from' | 'limit'>;

/**
 * A message's thread: the message and its replies in sequence order, from PostgreSQL and the
 * room's recent window (replies accepted but not stored yet), paged forwards by `afterSeq` or
 * backwards from the latest by `beforeSeq`. Sequence cursors keep pages stable while replies
 * keep coming: a new reply always sorts after every page already read. Members only: anyone else
 * is refused before anything of the room is read.
 */
export class ThreadService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rooms: Pick<RoomRepository, 'roleOf'>,
    private readonly window: Pick<RecentWindow, 'about' | 'repliesTo'>,
    private readonly metrics: ReplyMetrics,
    /** Fills in the files of stored messages (attachments/); absent: messages carry what they were accepted with. */
    private readonly describeAttachments?: (messages: Message[]) => Promise<void>,
  ) {}

  async replies(userId: string, roomId: string, messageId: string, page: ThreadPage): Promise<ThreadResponse> {
    if (!(await this.rooms.roleOf(roomId, userId))) throw new ForbiddenError('Only members can read this room');
    const backwards = page.beforeSeq !== undefined || page.from === 'end';
    const request: ReplyPageRequest = backwards
      ? { backwards: true, limit: page.limit, ...(page.beforeSeq !== undefined ? { beforeSeq: page.beforeSeq } : {}) }
      : { limit: page.limit, ...(page.afterSeq !== undefined ? { afterSeq: page.afterSeq } : {}) };
    const [parent, stored, recent] = await Promise.all([
      this.parent(roomId, messageId),
      fetchReplyPage(this.dataSource, roomId, messageId, request),
      this.window.repliesTo(roomId, messageId),
    ]);
    if (!parent) throw new NotFoundError('No such message in this room');
    const inPage = backwards ? (seq: number) => page.beforeSeq === undefined || seq < page.beforeSeq : (seq: number) => seq > (page.afterSeq ?? 0);
    const fresh = recent.filter((reply) => inPage(reply.seq) && reply.roomId === roomId);
    await attachReplyQuotes(this.dataSource, fresh);
    // Replies accepted but not stored yet are in the window only; stored ones may be in both.
    const byId = new Map<string, Message>();
    for (const reply of stored.replies) byId.set(reply.id, reply);
    for (const reply of fresh) if (!byId.has(reply.id)) byId.set(reply.id, reply);
    const merged = [...byId.values()].sort((a, b) => a.seq - b.seq);
    this.metrics.threadReads.inc();
    // The page nearest its starting point: the first replies going forwards, the last going backwards.
    const replies = backwards ? merged.slice(Math.max(0, merged.length - page.limit)) : merged.slice(0, page.limit);
    await this.describeAttachments?.([parent, ...replies]);
    return { parent, replies, hasMore: stored.hasMore || merged.length > page.limit };
  }

  /** The message as history would return it: stored (folded) or, accepted moments ago, from the window. */
  private async parent(roomId: string, messageId: string): Promise<Message | null> {
    const stored = await fetchStoredMessage(this.dataSource, roomId, messageId);
    if (stored) return stored;
    const recent = (await this.window.about(roomId, messageId)).find((item) => item.id === messageId);
    return recent && (recent.kind ?? 'message') === 'message' && recent.roomId === roomId ? recent : null;
  }
}
