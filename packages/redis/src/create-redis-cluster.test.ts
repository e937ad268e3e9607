import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@parley/logger';
import { startRedisCluster, type PrivateRedisCluster } from '@parley/testing';
import { closeRedis, createRedis, type Redis } from './create-redis.js';
import { connectedReplicas, primaryOfKey, readRedisConfig } from './redis-config.js';

const CHANNELS = Array.from({ length: 30 }, (_, index) => `room-${index}`);

describe('createRedis on a Redis Cluster (redis+cluster:// URL)', () => {
  const logger = createLogger({ service: 'redis-cluster-test', level: 'silent' });
  let cluster: PrivateRedisCluster;
  let publisher: Redis;
  let subscriber: Redis;
  const received = new Set<string>();

  beforeAll(async () => {
    cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
    publisher = createRedis({ url: cluster.url, name: 'cluster-pub', logger });
    subscriber = createRedis({ url: cluster.url, name: 'cluster-sub', logger, maxRetriesPerRequest: null, shardedSubscribers: true });
    subscriber.on('smessage', (channel: string) => received.add(channel));
    for (const channel of CHANNELS) await subscriber.ssubscribe(channel);
  }, 90_000);
  afterAll(async () => {
    if (publisher) await closeRedis(publisher);
    if (subscriber) await closeRedis(subscriber);
    await cluster?.stop();
  });

  /** Publishes once on every channel; resolves with how many reached the subscriber. */
  async function deliveredChannels(): Promise<number> {
    received.clear();
    for (const channel of CHANNELS) await publisher.spublish(channel, 'x');
    for (let attempt = 0; attempt < 20 && received.size < CHANNELS.length; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    return received.size;
  }

  async function everyChannelAgain(): Promise<number> {
    let delivered = 0;
    for (let attempt = 0; attempt < 20 && delivered < CHANNELS.length; attempt += 1) {
      delivered = await deliveredChannels();
      if (delivered < CHANNELS.length) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return delivered;
  }

  it('runs scripts and multi-key commands whose keys share a hash tag, and refuses those that do not', async () => {
    await publisher.set('{install}:a', '1');
    await publisher.set('{install}:b', '2');
    expect(await publisher.mget('{install}:a', '{install}:b')).toEqual(['1', '2']);
    expect(await publisher.eval("return redis.call('GET', KEYS[1]) .. redis.call('GET', KEYS[2])", 2, '{install}:a', '{install}:b')).toBe('12');
    await expect(publisher.mget('spread:a', 'spread:b-other')).rejects.toThrow(/CROSSSLOT|same slot/);
  });

  it('reads settings from every primary and counts replicas as the fewest any primary has', async () => {
    expect(await readRedisConfig(publisher, ['appendonly', 'maxmemory-policy'])).toEqual({ appendonly: 'yes', 'maxmemory-policy': 'noeviction' });
    expect(await connectedReplicas(publisher)).toBe(1);
    const primary = await primaryOfKey(publisher, '{install}:a');
    expect(primary.options.port).toBe(await cluster.primaryOf('{install}:a'));
    await primary.set('{install}:a', '3');
    expect(await primary.wait(1, 10_000)).toBe(1);
  });

  it('keeps every sharded subscription through a planned failover and a crashed primary', async () => {
    expect(await deliveredChannels()).toBe(CHANNELS.length);
    const [primary] = await cluster.primaryPorts();
    const [replica] = await cluster.replicaPorts(primary!);
    await cluster.failover(replica!);
    expect(await everyChannelAgain()).toBe(CHANNELS.length);
    await cluster.kill(replica!);
    expect(await everyChannelAgain()).toBe(CHANNELS.length);
  }, 90_000);
});
