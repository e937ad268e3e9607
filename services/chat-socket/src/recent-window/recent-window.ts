import type { Message } from '@parley/contracts';
import { recentWindowKey } from '@parley/keyspace';
import type { Result } from 'ioredis';
import type { Redis } from '@parley/redis';
import { sortableId } from '../ids/snowflake.js';

/**
 * The last N accepted messages of each room, in Redis (`recentWindowKey`), written by the
 * accept script together with the message's acceptance and job (see messages/accept-script.ts). History
 * merges it with PostgreSQL, so a message acknowledged to its sender is readable at once, however far the
 * persistence worker lags.
 *
 * Layout: one sorted set per room, every score 0, members `<20-digit seq>|<message JSON>`:
 * equal scores sort lexicographically, and zero-padded numbers sort like the numbers, so the
 * set is in the room's sequence order (what gap filling reads). Reads by message id scan the
 * window in Redis (at most RECENT_WINDOW_SIZE entries). The key name changed with that order
 * (it was id order), so a window of the older layout is never read as this one.
 */
/** Width of the zero-padded sequence number that starts each member (the accept script writes them). */
const SEQ_DIGITS = 20;

export function parseWindowMember(member: string): Message {
  return JSON.parse(member.slice(member.indexOf('|') + 1)) as Message;
}

const seqBound = (seq: number) => String(seq).padStart(SEQ_DIGITS, '0');

/**
 * The window's members with an id after (or before) a bound, in id order: the `limit` nearest
 * the bound, and how many there are in all. Message JSON starts with its id (`{"id":"…"`).
 */
const WINDOW_BY_ID_LUA = `#!lua flags=no-writes
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local after, bound, limit = ARGV[1] == 'after', ARGV[2], tonumber(ARGV[3])
local picked = {}
for _, member in ipairs(members) do
  local id = string.match(member, '^%d+|{"id":"(%d+)"')
  if id then
    id = string.rep('0', 20 - #id) .. id
    if bound == '' or (after and id > bound) or (not after and id < bound) then picked[#picked + 1] = {id, member} end
  end
end
table.sort(picked, function(a, b) return a[1] < b[1] end)
local out = {}
if after then
  for k = 1, math.min(#picked, limit) do out[#out + 1] = picked[k][2] end
else
  for k = math.max(1, #picked - limit + 1), #picked do out[#out + 1] = picked[k][2] end
end
return {out, #picked}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    parleyWindowById(key: string, direction: 'after' | 'before', boundId: string, limit: number): Result<[string[], number], Context>;
  }
}

export interface WindowPage {
  messages: Message[];
  /** More messages of the window lie beyond this page. */
  hasMore: boolean;
}

export class RecentWindow {
  private readonly prefixOfRoom: (roomId: string) => string;

  /**
   * `keyPrefix`: the install prefix, or where each room's message keys live
   * (MessageKeyLayout.prefixOfRoom: its shard's prefix with MESSAGE_SHARD_KEYS=shard).
   */
  constructor(
    private readonly redis: Redis,
    keyPrefix: string | ((roomId: string) => string),
  ) {
    this.prefixOfRoom = typeof keyPrefix === 'string' ? () => keyPrefix : keyPrefix;
    redis.defineCommand('parleyWindowById', { numberOfKeys: 1, lua: WINDOW_BY_ID_LUA, readOnly: true });
  }

  key(roomId: string): string {
    return recentWindowKey(this.prefixOfRoom(roomId), roomId);
  }

  /** Messages with seq > afterSeq, in sequence order. */
  async afterSeq(roomId: string, afterSeq: number, limit: number): Promise<WindowPage> {
    const members = await this.redis.zrangebylex(this.key(roomId), `(${seqBound(afterSeq)}|~`, '+', 'LIMIT', 0, limit + 1);
    return { messages: members.slice(0, limit).map(parseWindowMember), hasMore: members.length > limit };
  }

  /** The last messages with seq < beforeSeq (or the last overall), in sequence order. */
  async beforeSeq(roomId: string, beforeSeq: number | undefined, limit: number): Promise<WindowPage> {
    const max = beforeSeq === undefined ? '+' : `(${seqBound(beforeSeq)}`;
    const members = await this.redis.zrevrangebylex(this.key(roomId), max, '-', 'LIMIT', 0, limit + 1);
    return { messages: members.slice(0, limit).reverse().map(parseWindowMember), hasMore: members.length > limit };
  }

  /** Messages with id > afterId, in id order. */
  async afterId(roomId: string, afterId: string, limit: number): Promise<WindowPage> {
    return this.byId(roomId, 'after', sortableId(afterId), limit);
  }

  /** The messages with the highest ids below beforeId, in id order. */
  async beforeId(roomId: string, beforeId: string, limit: number): Promise<WindowPage> {
    return this.byId(roomId, 'before', sortableId(beforeId), limit);
  }

  /** The highest sequence number in a room's window (0 when it is empty). */
  async highestSeq(roomId: string): Promise<number> {
    const [member] = await this.redis.zrevrangebylex(this.key(roomId), '+', '-', 'LIMIT', 0, 1);
    return member ? Number(member.slice(0, member.indexOf('|'))) : 0;
  }

  /** The last message of each room (undefined when its window is empty). */
  async newestOf(roomIds: string[]): Promise<Map<string, Message>> {
    const result = new Map<string, Message>();
    if (roomIds.length === 0) return result;
    // One pipeline per key prefix: a Redis Cluster runs a pipeline on one slot's node, and with
    // MESSAGE_SHARD_KEYS=shard each shard's rooms have a slot of their own.
    const byPrefix = new Map<string, string[]>();
    for (const roomId of roomIds) {
      const prefix = this.prefixOfRoom(roomId);
      const rooms = byPrefix.get(prefix);
      if (rooms) rooms.push(roomId);
      else byPrefix.set(prefix, [roomId]);
    }
    await Promise.all(
      [...byPrefix.values()].map(async (rooms) => {
        const pipeline = this.redis.pipeline();
        for (const roomId of rooms) pipeline.zrevrangebylex(this.key(roomId), '+', '-', 'LIMIT', 0, 1);
        const replies = (await pipeline.exec()) ?? [];
        replies.forEach(([error, members], index) => {
          const member = !error && Array.isArray(members) ? (members[0] as string | undefined) : undefined;
          if (member) result.set(rooms[index]!, parseWindowMember(member));
        });
      }),
    );
    return result;
  }

  /** Per room, the window's messages with an id after a read marker (null: the whole window). */
  async afterMarkers(entries: Array<{ roomId: string; afterId: string | null }>, limit: number): Promise<Map<string, Message[]>> {
    const pages = await Promise.all(
      entries.map((entry) => this.byId(entry.roomId, 'after', entry.afterId === null ? '' : sortableId(entry.afterId), limit).catch(() => ({ messages: [], hasMore: false }))),
    );
    return new Map(entries.map((entry, index) => [entry.roomId, pages[index]!.messages]));
  }

  /**
   * The window's items about one message: the message itself and the timeline events that name
   * it, in sequence order (what is accepted but maybe not stored yet, for authorizing a change).
   */
  async about(roomId: string, messageId: string): Promise<Message[]> {
    const members = await this.redis.zrange(this.key(roomId), 0, -1);
    const asMessage = `|{"id":"${messageId}"`;
    const asTarget = `"targetId":"${messageId}"`;
    return members.filter((member) => member.includes(asMessage) || member.includes(asTarget)).map(parseWindowMember);
  }

  /** The window's replies to one message, in sequence order (accepted but maybe not stored yet). */
  async repliesTo(roomId: string, messageId: string): Promise<Message[]> {
    const members = await this.redis.zrange(this.key(roomId), 0, -1);
    const asReply = `"replyTo":"${messageId}"`;
    return members
      .filter((member) => member.includes(asReply))
      .map(parseWindowMember)
      .filter((item) => item.replyTo === messageId && (item.kind ?? 'message') === 'message');
  }

  private async byId(roomId: string, direction: 'after' | 'before', bound: string, limit: number): Promise<WindowPage> {
    const [members, total] = await this.redis.parleyWindowById(this.key(roomId), direction, bound, limit);
    return { messages: members.map(parseWindowMember), hasMore: total > limit };
  }
}
