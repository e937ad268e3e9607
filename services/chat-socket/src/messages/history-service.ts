import type { HistoryResponse, Message, RoomSyncResult } from '@parley/contracts';
import { fetchMessagePage } from '@parley/chat-store';
import type { DataSource } from '@parley/db';
import { ForbiddenError, NotFoundError } from '@parley/errors';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { RecentWindow } from './recent-window.js';

export interface HistoryPageRequest {
  before?: string;
  after?: string;
  limit: number;
}

/**
 * A room's history = PostgreSQL ∪ the room's recent window in Redis, de-duplicated by id and
 * ordered by id. Each source gives its best `limit + 1` for the page, which always contains the
 * union's best `limit`; more than `limit` distinct ids means there is more.
 */
export class HistoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rooms: RoomRepository,
    private readonly window: RecentWindow,
  ) {}

  async pageForMember(userId: string, roomId: string, page: HistoryPageRequest): Promise<HistoryResponse> {
    await this.requireMember(userId, roomId);
    return this.page(roomId, page);
  }

  async page(roomId: string, page: HistoryPageRequest): Promise<HistoryResponse> {
    const forward = page.after !== undefined;
    const [stored, recent] = await Promise.all([
      fetchMessagePage(this.dataSource, roomId, {
        limit: page.limit,
        ...(page.before !== undefined ? { before: page.before } : {}),
        ...(page.after !== undefined ? { after: page.after } : {}),
      }),
      forward ? this.window.after(roomId, page.after!, page.limit) : this.window.before(roomId, page.before, page.limit),
    ]);
    const merged = mergeById(stored.messages, recent.messages);
    const hasMore = merged.length > page.limit || stored.hasMore || recent.hasMore;
    return { messages: forward ? merged.slice(0, page.limit) : merged.slice(-page.limit), hasMore };
  }

  /**
   * What each room missed since the client's last id, capped per room. Rooms the caller is
   * not a member of are answered with an empty list (they learn nothing about them).
   * `afterId: null` returns the newest messages, up to the cap.
   */
  async sync(userId: string, rooms: Array<{ roomId: string; afterId: string | null }>, maxPerRoom: number): Promise<RoomSyncResult> {
    const memberOf = await this.rooms.memberRoomsAmong(userId, [...new Set(rooms.map((room) => room.roomId))]);
    const results = await Promise.all(
      rooms.map(async ({ roomId, afterId }) => {
        if (!memberOf.has(roomId)) return { roomId, messages: [], hasMore: false };
        const page = await this.page(roomId, { limit: maxPerRoom, ...(afterId !== null ? { after: afterId } : {}) });
        return { roomId, ...page };
      }),
    );
    return { rooms: results };
  }

  private async requireMember(userId: string, roomId: string): Promise<void> {
    const role = await this.rooms.roleOf(roomId, userId);
    if (role) return;
    if (!(await this.rooms.findRoom(roomId))) throw new NotFoundError('No such room');
    throw new ForbiddenError('Only members can read this room');
  }
}

function mergeById(a: Message[], b: Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const message of a) byId.set(message.id, message);
  for (const message of b) if (!byId.has(message.id)) byId.set(message.id, message);
  return [...byId.values()].sort((x, y) => (BigInt(x.id) < BigInt(y.id) ? -1 : BigInt(x.id) > BigInt(y.id) ? 1 : 0));
}
