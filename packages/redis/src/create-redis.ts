import { Cluster, Redis as SingleRedis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '@parley/logger';
import { parseRedisUrl } from './redis-url.js';
import { guardStoppedShardedSubscribers } from './sharded-subscriber-guard.js';

/**
 * A connection to one Redis or to a Redis Cluster (REDIS_URL decides). Both speak the same
 * commands; what a cluster adds is that every command and script must keep its keys in one
 * slot, which the install's hash-tagged key prefix guarantees (docs/decisions/0035-redis-cluster.md).
 */
export type Redis = SingleRedis | Cluster;
export { SingleRedis, Cluster };

export interface RedisSettings {
  url: string;
  /** Shown in logs, to tell connections apart. */
  name: string;
  logger: Logger;
  /**
   * BullMQ workers need `null` (block forever); request paths want a bounded number so a
   * Redis outage fails a request instead of hanging it.
   */
  maxRetriesPerRequest?: number | null;
  /**
   * Fail a command Redis has not answered within this many ms (unset: wait forever). A silent
   * network partition resets no connection, so without it a request waits for good. Never on a
   * connection that runs blocking commands or subscribes.
   */
  commandTimeoutMs?: number;
  /**
   * Cluster only: SSUBSCRIBE through one subscriber connection per primary, each taking the
   * channels of its slots (and moving them on a failover). For the sharded socket.io adapter.
   */
  shardedSubscribers?: boolean;
}

export function createRedis(settings: RedisSettings): Redis {
  const target = parseRedisUrl(settings.url);
  const options: RedisOptions = {
    connectionName: settings.name,
    maxRetriesPerRequest: settings.maxRetriesPerRequest === undefined ? 2 : settings.maxRetriesPerRequest,
    enableReadyCheck: true,
    // Never. Every ioredis Pipeline (auto-pipelining makes one per tick) defines a `length`
    // getter of its own, so it gets a hidden class of its own. That class stays in the old
    // generation until a major GC, and its getter's closure holds the pipeline. So every
    // pipeline and its commands survive every scavenge and reach the old generation. At
    // 2,000 msg/s that was nearly half of what a chat-socket pod promoted
    // (docs/decisions/0023-no-ioredis-pipelines.md). Send commands one by one, or use a script.
    enableAutoPipelining: false,
    // Reconnect with capped backoff; never give up, the pod stays up and reports not-ready.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...(settings.commandTimeoutMs === undefined ? {} : { commandTimeout: settings.commandTimeoutMs }),
  };
  let redis: Redis;
  if (target.kind === 'single') {
    redis = new SingleRedis(settings.url, options);
  } else {
    const clusterOptions: ClusterOptions = {
      redisOptions: {
        ...options,
        ...(target.username ? { username: target.username } : {}),
        ...(target.password ? { password: target.password } : {}),
        // Managed clusters (ElastiCache, Memorystore, Azure) present certificates for their
        // host names; Node checks them against the seed's name.
        ...(target.tls ? { tls: {} } : {}),
      },
      enableAutoPipelining: false,
      enableReadyCheck: true,
      // Keep the host names the cluster announces as they are (TLS checks them), no re-resolving.
      dnsLookup: (address, callback) => callback(null, address),
      clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      // During a failover the old primary's slots answer CLUSTERDOWN or TRYAGAIN for a few
      // seconds; commands wait and retry instead of failing at once.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      slotsRefreshTimeout: 2_000,
      shardedSubscribers: settings.shardedSubscribers === true,
      // ioredis moves sharded subscriptions to a slot's new primary only when it refreshes its
      // slot map, and a subscriber connection sends nothing that would be answered MOVED: after a
      // failover, channels of the moved slots stayed silent for good. A map read every second
      // (CLUSTER SLOTS, a few hundred bytes) bounds that to about a second.
      ...(settings.shardedSubscribers ? { slotsRefreshInterval: 1_000 } : {}),
    };
    if (settings.shardedSubscribers) guardStoppedShardedSubscribers();
    redis = new Cluster(target.seeds, clusterOptions);
  }
  let lastErrorLog = 0;
  redis.on('error', (error: Error) => {
    // A down Redis emits an error per reconnect attempt; one log line per 10 s is enough.
    const now = Date.now();
    if (now - lastErrorLog > 10_000) {
      lastErrorLog = now;
      settings.logger.warn({ err: error, connection: settings.name }, 'redis connection error');
    }
  });
  return redis;
}

/** Closes a connection, falling back to disconnect when Redis does not answer QUIT. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 1_000))]);
  } catch {
    // Already closed.
  } finally {
    redis.disconnect();
  }
}

/** Resolves once the connection has passed ioredis' ready check. */
export function redisReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}

/**
 * SUBSCRIBE only after the ready check: subscribing on a connection still connecting can put it
 * in subscriber mode before ioredis sends its INFO ready check, which then fails ("Connection in
 * subscriber mode") and drops the subscription.
 */
export async function subscribeWhenReady(redis: Redis, ...channels: string[]): Promise<void> {
  await redisReady(redis);
  await redis.subscribe(...channels);
}
