import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@parley/logger';
import { deleteRedisPrefix, testRedisPrefix, TEST_REDIS_URL } from '@parley/testing';
import { workerIdLeaseKey } from '@parley/keyspace';
import { leaseWorkerId } from '../src/ids/worker-id-lease.js';
import { eventually } from './support/chat-cluster.js';

let redis: Redis;
const prefix = testRedisPrefix('worker_lease');
const logger = createLogger({ service: 'test', level: 'silent' });

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  redis?.disconnect();
  await deleteRedisPrefix(prefix);
});

describe('snowflake worker id leases', () => {
  it('gives concurrent pods different worker ids, and frees an id on release', async () => {
    const leases = await Promise.all(Array.from({ length: 8 }, () => leaseWorkerId({ redis, redisKeyPrefix: prefix, logger, onChange: () => undefined })));
    const ids = leases.map((lease) => lease.workerId);
    expect(new Set(ids).size).toBe(8);
    for (const id of ids) expect(await redis.exists(workerIdLeaseKey(prefix, id))).toBe(1);
    await leases[0]!.release();
    expect(await redis.exists(workerIdLeaseKey(prefix, ids[0]!))).toBe(0);
    await Promise.all(leases.slice(1).map((lease) => lease.release()));
  });

  it('keeps its lease alive with heartbeats, and takes another id when the lease was lost', async () => {
    const changes: number[] = [];
    const lease = await leaseWorkerId({ redis, redisKeyPrefix: prefix, logger, ttlMs: 600, onChange: (id) => changes.push(id) });
    const first = lease.workerId;
    const key = workerIdLeaseKey(prefix, first);
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await redis.exists(key)).toBe(1);
    // Another pod got hold of the id (e.g. this one stalled past the TTL).
    await redis.set(key, 'someone-else', 'PX', 60_000);
    await eventually(() => expect(changes).toHaveLength(1), 2_000);
    expect(lease.workerId).toBe(changes[0]);
    expect(lease.workerId).not.toBe(first);
    await lease.release();
    expect(await redis.get(key)).toBe('someone-else');
  });
});
