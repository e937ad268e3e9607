import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presenceIndexKey, presenceKey } from '@parley/keyspace';
import { createLogger } from '@parley/logger';
import { closeRedis, createRedis, type Redis } from '@parley/redis';
import { deleteRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '@parley/testing';
import { PresenceStore } from './presence-store.js';

const TTL_MS = 45_000;
let redis: Redis;
let prefix: string;
let store: PresenceStore;

beforeAll(() => {
  redis = createRedis({ url: TEST_REDIS_URL, name: 'presence-store-test', logger: createLogger({ service: 'test', level: 'silent' }) });
  prefix = testRedisPrefix('presence-store');
  store = new PresenceStore(redis, prefix, TTL_MS);
});

afterAll(async () => {
  await deleteRedisPrefix(prefix);
  await closeRedis(redis);
});

const users = (count: number, from = 0) => Array.from({ length: count }, (_, index) => `user-${from + index}`);

describe('the presence heartbeat (PresenceStore.renew)', () => {
  it('renews every lease of a pod with many sockets, a user with two sockets included, and indexes users not seen before', async () => {
    const now = Date.now();
    const entries = users(450).map((userId) => ({ userId, socketId: `${userId}-a` }));
    entries.push({ userId: 'user-7', socketId: 'user-7-b' });
    await store.renew(entries, now);

    expect((await store.onlineAmong(users(450), now + TTL_MS - 1)).size).toBe(450);
    expect(await redis.zscore(presenceKey(prefix, 'user-7'), 'user-7-b')).toBe(String(now + TTL_MS));
    expect(await redis.zcard(presenceIndexKey(prefix))).toBeGreaterThanOrEqual(450);
    expect(await redis.zscore(presenceIndexKey(prefix), 'user-449')).toBe(String(now + TTL_MS));
  });

  it('never lowers a user’s indexed expiry (another pod renewed it later)', async () => {
    const now = Date.now();
    await store.renew([{ userId: 'late', socketId: 'late-on-pod-b' }], now + 10_000);
    await store.renew([{ userId: 'late', socketId: 'late-on-pod-a' }], now);
    expect(await redis.zscore(presenceIndexKey(prefix), 'late')).toBe(String(now + 10_000 + TTL_MS));
  });

  it('lets the event loop turn while it renews thousands of leases, instead of sending them all in one go', async () => {
    let turns = 0;
    let renewing = true;
    const counting = (async () => {
      while (renewing) {
        await setImmediatePromise();
        turns += 1;
      }
    })();
    await store.renew(
      users(2_000, 1_000).map((userId) => ({ userId, socketId: `${userId}-a` })),
      Date.now(),
    );
    renewing = false;
    await counting;
    // 2,000 leases in rounds of 100: the loop turns between rounds at least.
    expect(turns).toBeGreaterThanOrEqual(19);
  });
});
