import { z } from 'zod';
import { messageIdSchema, type MessageAttachment, type MessageSearchQuery, type MessageSearchResponse } from '@parley/contracts';
import { chooseSearchStrategy, searchMessages, type MessageSearchRow, type SearchLanguage } from '@parley/chat-store';
import type { DataSource } from '@parley/db';
import { AppError, ForbiddenError, NotFoundError } from '@parley/errors';
import { opaqueCursor } from '@parley/http';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { SearchMetrics, SearchOutcome } from './search-metrics.js';
import { requireSearchableRoom } from './search-membership.js';
import { parseHeadline } from './search-snippet.js';

/** A page's end: the last hit's rank (PostgreSQL's text of a `real`, exact) and message id. */
const searchCursor = opaqueCursor(1, {
  r: z.string().max(24).regex(/^\d+(\.\d+)?(e[-+]?\d+)?$/),
  id: messageIdSchema,
});

/**
 * Message search for one user: members only (a room id the caller is not a member of is answered
 * like history answers it: 404 for no such room, 403 otherwise, and never with results), ranked,
 * paged by an opaque cursor (docs/decisions/0005-opaque-cursors.md).
 */
export class MessageSearchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly language: SearchLanguage,
    private readonly rooms: RoomRepository,
    private readonly metrics: SearchMetrics,
    /** The files of the hits' messages (attachments/); absent: hits carry none. */
    private readonly filesOf?: (rows: readonly MessageSearchRow[]) => Promise<Map<MessageSearchRow, MessageAttachment[]>>,
  ) {}

  async search(userId: string, query: MessageSearchQuery): Promise<MessageSearchResponse> {
    const scope = query.roomId === undefined ? 'all' : 'room';
    const stopTimer = this.metrics.searchSeconds.startTimer({ scope });
    try {
      const after = query.cursor === undefined ? undefined : searchCursor.decode(query.cursor);
      if (query.roomId !== undefined) await requireSearchableRoom(this.rooms, userId, query.roomId);
      const request = {
        userId,
        query: query.q,
        ...(query.roomId !== undefined ? { roomId: query.roomId } : {}),
        ...(after ? { after: { rank: after.r, id: after.id } } : {}),
        limit: query.limit + 1,
      };
      const rows = await searchMessages(this.dataSource, this.language, request, await chooseSearchStrategy(this.dataSource, this.language, request));
      const page = rows.slice(0, query.limit);
      // Members only, like the hits themselves: the query above read the caller's rooms alone.
      const files = (await this.filesOf?.(page)) ?? new Map<MessageSearchRow, MessageAttachment[]>();
      const last = page.at(-1);
      const nextCursor = rows.length > query.limit && last ? searchCursor.encode({ r: last.rank, id: last.id }) : null;
      stopTimer();
      this.count(page.length > 0 ? 'hits' : 'empty');
      return { results: page.map((row) => toHit(row, files.get(row))), nextCursor };
    } catch (error) {
      this.count(outcomeOf(error));
      throw error;
    }
  }

  /** A search refused before it reached the service (malformed query string). */
  countInvalid(): void {
    this.count('invalid');
  }

  private count(outcome: SearchOutcome): void {
    this.metrics.searches.inc({ outcome });
  }

}

function outcomeOf(error: unknown): SearchOutcome {
  if (error instanceof ForbiddenError || error instanceof NotFoundError) return 'refused';
  if (error instanceof AppError && error.code === 'invalid') return 'invalid';
  return 'failed';
}

function toHit(row: MessageSearchRow, attachments: MessageAttachment[] | undefined): MessageSearchResponse['results'][number] {
  return {
    roomId: row.roomId,
    messageId: row.id,
    seq: row.seq,
    senderId: row.senderId,
    createdAt: row.createdAt.toISOString(),
    ...(row.editedAt ? { editedAt: row.editedAt.toISOString() } : {}),
    snippet: parseHeadline(row.headline),
    ...(attachments ? { attachments } : {}),
  };
}
