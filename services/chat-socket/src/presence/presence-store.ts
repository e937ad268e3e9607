import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { Presence } from '@parley/contracts';
import type { Redis } from '@parley/redis';
import { onlineRange } from '@parley/chat-store';
import { presenceIndexKey, presenceKey, presenceLastSeenKey, presenceSweepLockKey } from '@parley/keyspace';

/**
 * Presence in Redis, shared by all pods and read by the persistence worker:
 *  - `presence:user:<id>` (presenceKey): sorted set of the user's socket ids,
 *    scored by the epoch ms their lease expires. Online = a score in the future.
 *  - `presence:index`: user id → latest lease expiry, so the sweeper finds users whose
 *    pods died without saying goodbye.
 *  - `presence:last-seen`: hash user id → ISO time the user went offline.
 */
const CONNECT_LUA = `
local now = tonumber(ARGV[1])
local before = redis.call('ZCOUNT', KEYS[1], now, '+inf')
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], 'GT', ARGV[2], ARGV[5])
if before == 0 then return 1 end
return 0`;

/** Removes sockets and expired leases; 1 when that left the user offline. ARGV: now, userId, ISO now, socket ids... */
const RELEASE_LUA = `
local now = tonumber(ARGV[1])
for i = 4, #ARGV do redis.call('ZREM', KEYS[1], ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
if redis.call('ZCOUNT', KEYS[1], now, '+inf') > 0 then
  local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('ZADD', KEYS[2], latest[2], ARGV[2])
  return 0
end
redis.call('DEL', KEYS[1])
local indexed = redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
return indexed`;

/** Leases renewed per round of a heartbeat (see renew). */
const RENEW_ROUND = 100;

export class PresenceStore {
  private readonly indexKey: string;
  private readonly lastSeenKey: string;
  private readonly lockKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly redisKeyPrefix: string,
    private readonly ttlMs: number,
  ) {
    this.indexKey = presenceIndexKey(redisKeyPrefix);
    this.lastSeenKey = presenceLastSeenKey(redisKeyPrefix);
    this.lockKey = presenceSweepLockKey(redisKeyPrefix);
  }

  private key(userId: string): string {
    return presenceKey(this.redisKeyPrefix, userId);
  }

  /** Registers a socket; true when the user was offline until now. */
  async connect(userId: string, socketId: string, now = Date.now()): Promise<boolean> {
    const expiry = now + this.ttlMs;
    const cameOnline = await this.redis.eval(
      CONNECT_LUA,
      2,
      this.key(userId),
      this.indexKey,
      String(now),
      String(expiry),
      socketId,
      String(this.ttlMs * 2),
      userId,
    );
    return cameOnline === 1;
  }

  /**
   * Renews the leases of local sockets, RENEW_ROUND entries at a time: each round's commands
   * are awaited, and the event loop turns, before the next goes out, so a pod's thousands of
   * leases never hold its event loop or Redis for long (all at once, 4,000 commands stalled
   * every send of the pod for 30–70 ms each heartbeat). Not an ioredis Pipeline: a pipeline
   * reaches the old generation whole (see createRedis in @parley/redis).
   */
  async renew(entries: Array<{ userId: string; socketId: string }>, now = Date.now()): Promise<void> {
    const expiry = now + this.ttlMs;
    const keyTtlMs = this.ttlMs * 2;
    for (let start = 0; start < entries.length; start += RENEW_ROUND) {
      if (start > 0) await setImmediatePromise();
      const socketsOf = new Map<string, Array<number | string>>();
      for (const { userId, socketId } of entries.slice(start, start + RENEW_ROUND)) {
        const scored = socketsOf.get(userId) ?? [];
        scored.push(expiry, socketId);
        socketsOf.set(userId, scored);
      }
      const replies: Array<Promise<unknown>> = [];
      const index: Array<number | string> = [];
      for (const [userId, scored] of socketsOf) {
        const key = this.key(userId);
        replies.push(this.redis.zadd(key, ...scored), this.redis.pexpire(key, keyTtlMs));
        index.push(expiry, userId);
      }
      // GT raises a user's expiry, never lowers it, and adds a user not yet indexed.
      replies.push(this.redis.zadd(this.indexKey, 'GT', ...index));
      await Promise.all(replies);
    }
  }

  /** Removes sockets of one user; true when the user is now offline. */
  async release(userId: string, socketIds: string[], now = Date.now()): Promise<boolean> {
    const wentOffline = await this.redis.eval(
      RELEASE_LUA,
      3,
      this.key(userId),
      this.indexKey,
      this.lastSeenKey,
      String(now),
      userId,
      new Date(now).toISOString(),
      ...socketIds,
    );
    return wentOffline === 1;
  }

  /**
   * Under a lock shared by all pods, finds users whose every lease expired (their pod died)
   * and marks them offline. Returns those users.
   */
  async sweep(lockMs: number, now = Date.now()): Promise<string[]> {
    const locked = await this.redis.set(this.lockKey, String(now), 'PX', lockMs, 'NX');
    if (locked !== 'OK') return [];
    const candidates = await this.redis.zrangebyscore(this.indexKey, '-inf', `(${now}`, 'LIMIT', 0, 1_000);
    const offline: string[] = [];
    for (const userId of candidates) {
      if (await this.release(userId, [], now)) offline.push(userId);
    }
    return offline;
  }

  async statusOf(userIds: string[], now = Date.now()): Promise<Presence[]> {
    if (userIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    const [min, max] = onlineRange(now);
    for (const userId of userIds) pipeline.zcount(this.key(userId), min, max);
    pipeline.hmget(this.lastSeenKey, ...userIds);
    const replies = (await pipeline.exec()) ?? [];
    const lastSeen = (replies[userIds.length]?.[1] as Array<string | null> | undefined) ?? [];
    return userIds.map((userId, index) => {
      const online = Number(replies[index]?.[1] ?? 0) > 0;
      return { userId, status: online ? 'online' : 'offline', lastSeenAt: online ? null : (lastSeen[index] ?? null) || null };
    });
  }

  async onlineAmong(userIds: string[], now = Date.now()): Promise<Set<string>> {
    const statuses = await this.statusOf(userIds, now);
    return new Set(statuses.filter((status) => status.status === 'online').map((status) => status.userId));
  }
}

