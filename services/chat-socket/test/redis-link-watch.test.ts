import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@parley/logger';
import { closeRedis, createRedis, redisReady, type Redis } from '@parley/redis';
import { startRedisCluster, startTcpProxy, TEST_REDIS_URL, until as pollUntil, type PrivateRedisCluster, type TcpProxy } from '@parley/testing';
import { watchRedisLink, type RedisLinkWatch } from '../src/durability/redis-link-watch.js';

/**
 * How a chat-socket pod tells that it cannot reach Redis: through a TCP proxy to the test Redis
 * (only PINGs pass, nothing is written), the link is cut or silenced and healed. A silent
 * partition leaves the connection "ready"; only the timed-out probe notices it.
 */
const logger = createLogger({ service: 'redis-link-watch-test', level: 'silent' });
let proxy: TcpProxy | undefined;
let redis: Redis | undefined;
let watch: RedisLinkWatch | undefined;

afterEach(async () => {
  watch?.stop();
  if (redis) await closeRedis(redis);
  await proxy?.close();
  watch = undefined;
  redis = undefined;
  proxy = undefined;
});

const until = (check: () => boolean, timeoutMs = 10_000) => pollUntil(check, timeoutMs, 20);

async function watched(shedAfterMs: number) {
  const target = new URL(TEST_REDIS_URL);
  proxy = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port || 6379) } });
  redis = createRedis({ url: proxy.url, name: 'link-watch-test', logger, commandTimeoutMs: 300 });
  await redisReady(redis);
  const partitions: number[] = [];
  watch = watchRedisLink({ redis, probeKey: 'link-watch-test:probe', intervalMs: 50, timeoutMs: 300, shedAfterMs, logger, onLongPartition: (downMs) => partitions.push(downMs) });
  return { proxy, redis, watch, partitions };
}

describe('watchRedisLink', () => {
  it('reports nothing while Redis answers', async () => {
    const { watch: link, partitions } = await watched(500);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(link.down()).toBe(false);
    expect(link.longPartition()).toBe(false);
    expect(partitions).toEqual([]);
  });

  it('notices a silent partition by a timed-out probe, calls onLongPartition once after the grace, and clears on heal', async () => {
    const { proxy: link, redis: connection, watch: watchOf, partitions } = await watched(500);
    link.blackhole();
    expect(await until(() => watchOf.down())).toBe(true);
    // The connection itself sees nothing wrong.
    expect(connection.status).toBe('ready');
    expect(await until(() => watchOf.longPartition())).toBe(true);
    expect(partitions).toHaveLength(1);
    expect(partitions[0]).toBeGreaterThanOrEqual(500);
    // A command of a request fails instead of waiting for the link.
    await expect(connection.get('parley-link-watch-test-no-such-key')).rejects.toThrow(/timed out/i);

    link.restore();
    expect(await until(() => !watchOf.down())).toBe(true);
    expect(watchOf.longPartition()).toBe(false);
    expect(partitions).toHaveLength(1);
  });

  it('notices a cut, and with a grace of 0 never calls onLongPartition', async () => {
    const { proxy: link, watch: watchOf, partitions } = await watched(0);
    link.cut();
    expect(await until(() => watchOf.down())).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(watchOf.longPartition()).toBe(false);
    expect(partitions).toEqual([]);
    link.restore();
    expect(await until(() => !watchOf.down())).toBe(true);
  });

  it('a second partition after a heal is reported again', async () => {
    const { proxy: link, watch: watchOf, partitions } = await watched(200);
    link.cut();
    expect(await until(() => watchOf.longPartition())).toBe(true);
    link.restore();
    expect(await until(() => !watchOf.down())).toBe(true);
    link.blackhole();
    expect(await until(() => partitions.length === 2)).toBe(true);
    link.restore();
    expect(await until(() => !watchOf.down())).toBe(true);
  });
});

describe('watchRedisLink on a Redis Cluster', () => {
  const probeKey = '{link-watch}:unpersisted';
  let cluster: PrivateRedisCluster;

  beforeAll(async () => {
    cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('probes the primary holding the install\'s slot: its silence is a partition even while the other primaries answer', async () => {
    redis = createRedis({ url: cluster.url, name: 'link-watch-cluster-test', logger, commandTimeoutMs: 300 });
    await redisReady(redis);
    const partitions: number[] = [];
    watch = watchRedisLink({ redis, probeKey, intervalMs: 50, timeoutMs: 300, shedAfterMs: 0, logger, onLongPartition: (downMs) => partitions.push(downMs) });
    const watchOf = watch;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(watchOf.down()).toBe(false);

    const primaryPort = await cluster.primaryOf(probeKey);
    const primary = cluster.nodes.find((node) => node.port === primaryPort)!;
    const otherPrimaries = (await cluster.primaryPorts()).filter((port) => port !== primaryPort);
    // A frozen process answers nothing and resets nothing, like a silent partition; shorter than
    // the cluster's node timeout, so no failover moves the slot meanwhile.
    process.kill(primary.pid(), 'SIGSTOP');
    try {
      expect(await until(() => watchOf.down(), 1_500)).toBe(true);
      for (const port of otherPrimaries) expect((await cluster.cli(port, 'PING')).trim()).toBe('PONG');
    } finally {
      process.kill(primary.pid(), 'SIGCONT');
    }
    expect(await until(() => !watchOf.down())).toBe(true);
    expect(partitions).toEqual([]);
  }, 60_000);
});
