import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@parley/logger';
import { TEST_REDIS_URL } from '@parley/testing';
import { closeRedis, createRedis, type Redis } from './create-redis.js';

const COMMANDS = 10_000;

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

function oldSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;
}

/**
 * Publishes in rounds of 250 concurrent commands, each round answered and then scavenged, and
 * returns by how much the old generation grew. Answered commands that a scavenge cannot free
 * are promoted there and wait for a major GC, which stalls every socket of a pod.
 */
async function oldGenerationGrowth(redis: Redis): Promise<number> {
  const payload = 'x'.repeat(200);
  const publishRounds = async (): Promise<void> => {
    for (let round = 0; round < COMMANDS / 250; round += 1) {
      await Promise.all(Array.from({ length: 250 }, () => redis.spublish('parley-test:promotion', payload)));
      collect({ type: 'minor' });
    }
    // An object is promoted when it survives its second scavenge.
    collect({ type: 'minor' });
    collect({ type: 'minor' });
  };
  await publishRounds(); // warm-up: compiled code and ioredis's own caches
  collect({ type: 'major' });
  const before = oldSpaceBytes();
  await publishRounds();
  return oldSpaceBytes() - before;
}

describe('createRedis', () => {
  const logger = createLogger({ service: 'redis-test', level: 'silent' });
  let redis: Redis;

  beforeAll(async () => {
    redis = createRedis({ url: TEST_REDIS_URL, name: 'redis-test', logger });
    await redis.ping();
  });

  afterAll(async () => {
    await closeRedis(redis);
  });

  // Auto-pipelined, the same rounds left about 880 bytes per command in the old generation
  // (every ioredis Pipeline survives until a major GC; see createRedis). Plain commands leave
  // under 1 byte each.
  it('lets scavenges free answered commands instead of leaving them for a major GC', async () => {
    const growth = await oldGenerationGrowth(redis);
    expect(growth / COMMANDS).toBeLessThan(400);
  });
});
