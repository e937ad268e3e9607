import type { Message } from '@parley/contracts';
import type { Redis } from 'ioredis';
import { sortableId } from '../ids/snowflake.js';

/**
 * The last N accepted messages of each room, in Redis, written atomically with acceptance
 * (see accept-script.ts). History merges it with PostgreSQL, so a message acknowledged to its
 * sender is readable at once, however far the persistence worker lags.
 *
 * Layout: one sorted set per room, every score 0, members `<20-digit id>|<message JSON>`:
 * equal scores sort lexicographically, and zero-padded ids sort like the numbers.
 */
export function recentWindowKey(redisKeyPrefix: string, roomId: string): string {
  return `${redisKeyPrefix}room-window:${roomId}`;
}

export function windowMember(message: Message, json = JSON.stringify(message)): string {
  return `${sortableId(message.id)}|${json}`;
}

export function parseWindowMember(member: string): Message {
  return JSON.parse(member.slice(member.indexOf('|') + 1)) as Message;
}

export interface WindowPage {
  messages: Message[];
  /** More messages of the window lie beyond this page. */
  hasMore: boolean;
}

export class RecentWindow {
  constructor(
    private readonly redis: Redis,
    private readonly redisKeyPrefix: string,
  ) {}

  key(roomId: string): string {
    return recentWindowKey(this.redisKeyPrefix, roomId);
  }

  /** Messages with id > afterId, oldest first. */
  async after(roomId: string, afterId: string, limit: number): Promise<WindowPage> {
    const members = await this.redis.zrangebylex(this.key(roomId), `(${sortableId(afterId)}~`, '+', 'LIMIT', 0, limit + 1);
    return { messages: members.slice(0, limit).map(parseWindowMember), hasMore: members.length > limit };
  }

  /** The newest messages with id < beforeId (or the newest overall), returned oldest first. */
  async before(roomId: string, beforeId: string | undefined, limit: number): Promise<WindowPage> {
    const max = beforeId === undefined ? '+' : `(${sortableId(beforeId)}`;
    const members = await this.redis.zrevrangebylex(this.key(roomId), max, '-', 'LIMIT', 0, limit + 1);
    return { messages: members.slice(0, limit).reverse().map(parseWindowMember), hasMore: members.length > limit };
  }

  /** The newest message of each room (undefined when its window is empty). */
  async newestOf(roomIds: string[]): Promise<Map<string, Message>> {
    const result = new Map<string, Message>();
    if (roomIds.length === 0) return result;
    const pipeline = this.redis.pipeline();
    for (const roomId of roomIds) pipeline.zrevrangebylex(this.key(roomId), '+', '-', 'LIMIT', 0, 1);
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, members], index) => {
      const member = !error && Array.isArray(members) ? (members[0] as string | undefined) : undefined;
      if (member) result.set(roomIds[index]!, parseWindowMember(member));
    });
    return result;
  }

  /** Per room, the window's messages after a marker (null: the whole window). */
  async afterMarkers(entries: Array<{ roomId: string; afterId: string | null }>, limit: number): Promise<Map<string, Message[]>> {
    const result = new Map<string, Message[]>();
    if (entries.length === 0) return result;
    const pipeline = this.redis.pipeline();
    for (const entry of entries) {
      const min = entry.afterId === null ? '-' : `(${sortableId(entry.afterId)}~`;
      pipeline.zrangebylex(this.key(entry.roomId), min, '+', 'LIMIT', 0, limit);
    }
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, members], index) => {
      const list = !error && Array.isArray(members) ? (members as string[]).map(parseWindowMember) : [];
      result.set(entries[index]!.roomId, list);
    });
    return result;
  }
}
