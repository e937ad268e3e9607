import type { HistoryResponse, Message, RoomSyncResult } from '@parley/contracts';
import { attachReplyQuotes, fetchMessagePage } from '@parley/chat-store';
import type { DataSource } from '@parley/db';
import { ForbiddenError, NotFoundError } from '@parley/errors';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { RecentWindow } from '../recent-window/recent-window.js';

export interface HistoryPageRequest {
  before?: string;
  after?: string;
  beforeSeq?: number;
  afterSeq?: number;
  limit: number;
}

/**
 * A room's history = PostgreSQL ∪ the room's recent window in Redis, de-duplicated by id. Pages
 * by sequence (`afterSeq`, `beforeSeq`, no cursor) are in sequence order, pages by id (`after`,
 * `before`) in id order. Each source gives its best `limit + 1` for the page, which always
 * contains the union's best `limit`; more than `limit` distinct messages means there is more.
 */
export class HistoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rooms: RoomRepository,
    private readonly window: RecentWindow,
    /** Fills in the files of stored messages (attachments/); absent: messages carry what they were accepted with. */
    private readonly describeAttachments?: (messages: Message[]) => Promise<void>,
    /**
     * Where stored pages are read (a replica, DATABASE_READ_URL). Read-your-writes holds because
     * what a replica has not replayed yet is in the recent window, merged below.
     */
    private readonly reads: () => DataSource = () => dataSource,
  ) {}

  async pageForMember(userId: string, roomId: string, page: HistoryPageRequest): Promise<HistoryResponse> {
    await this.requireMember(userId, roomId);
    return this.page(roomId, page);
  }

  async page(roomId: string, page: HistoryPageRequest): Promise<HistoryResponse> {
    const { limit } = page;
    const forward = page.after !== undefined || page.afterSeq !== undefined;
    const bySeq = page.after === undefined && page.before === undefined;
    const [stored, recent] = await Promise.all([this.storedPage(roomId, page), this.windowPage(roomId, page)]);
    // Replies from the window carry the quote they were sent with; the stored parent's is current
    // (a deleted parent shows as deleted).
    await attachReplyQuotes(this.reads(), recent.messages);
    const merged = mergeById(stored.messages, recent.messages, bySeq ? compareSeq : compareIds);
    const hasMore = merged.length > limit || stored.hasMore || recent.hasMore;
    const messages = forward ? merged.slice(0, limit) : merged.slice(-limit);
    await this.describeAttachments?.(messages);
    return { messages, hasMore };
  }

  /**
   * What each room missed since the client's sequence number (or, older form, its last id),
   * capped per room. Rooms the caller is not a member of are answered with an empty list (they
   * learn nothing about them). Neither given: the newest messages, up to the cap.
   */
  async sync(userId: string, rooms: Array<{ roomId: string; afterSeq?: number; afterId?: string | null }>, maxPerRoom: number): Promise<RoomSyncResult> {
    const memberOf = await this.rooms.memberRoomsAmong(userId, [...new Set(rooms.map((room) => room.roomId))]);
    const results = await Promise.all(
      rooms.map(async ({ roomId, afterSeq, afterId }) => {
        if (!memberOf.has(roomId)) return { roomId, messages: [], hasMore: false };
        const cursor = afterSeq !== undefined ? { afterSeq } : afterId != null ? { after: afterId } : {};
        const page = await this.page(roomId, { limit: maxPerRoom, ...cursor });
        return { roomId, ...page };
      }),
    );
    return { rooms: results };
  }

  /** From the replica; from the primary when the replica fails (it went away since it connected). */
  private storedPage(roomId: string, page: HistoryPageRequest) {
    const reads = this.reads();
    if (reads === this.dataSource) return fetchMessagePage(reads, roomId, page);
    return fetchMessagePage(reads, roomId, page).catch(() => fetchMessagePage(this.dataSource, roomId, page));
  }

  private windowPage(roomId: string, page: HistoryPageRequest) {
    if (page.afterSeq !== undefined) return this.window.afterSeq(roomId, page.afterSeq, page.limit);
    if (page.after !== undefined) return this.window.afterId(roomId, page.after, page.limit);
    if (page.before !== undefined) return this.window.beforeId(roomId, page.before, page.limit);
    return this.window.beforeSeq(roomId, page.beforeSeq, page.limit);
  }

  private async requireMember(userId: string, roomId: string): Promise<void> {
    const role = await this.rooms.roleOf(roomId, userId);
    if (role) return;
    if (!(await this.rooms.findRoom(roomId))) throw new NotFoundError('No such room');
    throw new ForbiddenError('Only members can read this room');
  }
}

const compareIds = (x: Message, y: Message) => (BigInt(x.id) < BigInt(y.id) ? -1 : BigInt(x.id) > BigInt(y.id) ? 1 : 0);
const compareSeq = (x: Message, y: Message) => x.seq - y.seq;

function mergeById(a: Message[], b: Message[], order: (x: Message, y: Message) => number): Message[] {
  const byId = new Map<string, Message>();
  for (const message of a) byId.set(message.id, message);
  for (const message of b) if (!byId.has(message.id)) byId.set(message.id, message);
  return [...byId.values()].sort(order);
}
