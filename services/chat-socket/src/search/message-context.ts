import { storedMessageSeq } from '@parley/chat-store';
import type { MessagesAroundResponse } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import { NotFoundError } from '@parley/errors';
import type { HistoryService } from '../messages/history-service.js';
import type { RoomRepository } from '../rooms/room-repository.js';
import { requireSearchableRoom } from './search-membership.js';

/**
 * A stretch of a room's history around one message (a search hit opened in its room): the
 * message, up to `limit` items before it and up to `limit` after, in sequence order, from the
 * same merged history (PostgreSQL ∪ recent window) as history pages. Members only: membership is
 * checked before the message is looked up, so a non-member learns nothing about it.
 */
export class MessageContext {
  constructor(
    private readonly dataSource: DataSource,
    private readonly history: HistoryService,
    private readonly rooms: RoomRepository,
  ) {}

  async around(userId: string, roomId: string, messageId: string, limit: number): Promise<MessagesAroundResponse> {
    await requireSearchableRoom(this.rooms, userId, roomId);
    // Stored messages only: what search finds is stored (the recent window is not searched).
    const seq = await storedMessageSeq(this.dataSource, roomId, messageId);
    if (seq === undefined) throw new NotFoundError('No such message in this room');
    const [before, after] = await Promise.all([
      this.history.page(roomId, { beforeSeq: seq + 1, limit: limit + 1 }),
      this.history.page(roomId, { afterSeq: seq, limit }),
    ]);
    return {
      messages: [...before.messages, ...after.messages],
      hasMoreBefore: before.hasMore,
      hasMoreAfter: after.hasMore,
    };
  }
}
