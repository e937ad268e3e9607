import type { Cluster, Redis as SingleRedis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '@parley/errors';

export interface RateLimitSettings {
  /** One Redis or a Redis Cluster (its keys are one each, so any slot will do). */
  redis: SingleRedis | Cluster;
  /** Full key prefix, including the install's Redis prefix. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** When exhausted, block for this long (defaults to the rest of the window). */
  blockDurationSeconds?: number;
}

export interface RateLimit {
  /** Takes `points` for `key`, or throws RateLimitedError with Retry-After. */
  consume(key: string, points?: number): Promise<void>;
  /** Gives `points` back to `key` (an attempt that turned out not to count). */
  reward(key: string, points?: number): Promise<void>;
  reset(key: string): Promise<void>;
}

/**
 * A Redis-backed limiter shared by all pods. If Redis is unreachable it falls back to a
 * per-process in-memory limiter, so an outage degrades limits instead of failing requests.
 */
export function createRateLimit(settings: RateLimitSettings): RateLimit {
  const base = {
    keyPrefix: settings.keyPrefix,
    points: settings.points,
    duration: settings.durationSeconds,
    blockDuration: settings.blockDurationSeconds ?? 0,
  };
  const limiter = new RateLimiterRedis({
    ...base,
    storeClient: settings.redis,
    insuranceLimiter: new RateLimiterMemory(base),
  });

  const rejected = (result: RateLimiterRes) => new RateLimitedError(Math.ceil(result.msBeforeNext / 1000));

  return {
    async consume(key, points = 1) {
      try {
        await limiter.consume(key, points);
      } catch (error) {
        if (error instanceof RateLimiterRes) throw rejected(error);
        throw error;
      }
    },
    async reward(key, points = 1) {
      await limiter.reward(key, points);
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}
