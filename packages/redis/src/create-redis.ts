import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@parley/logger';

export { Redis };

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
}

export function createRedis(settings: RedisSettings): Redis {
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
  const redis = new Redis(settings.url, options);
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
