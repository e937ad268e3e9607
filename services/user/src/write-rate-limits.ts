import type { RequestHandler } from 'express';
import { principalOf } from '@parley/auth-middleware';
import { createRateLimit, type RateLimit } from '@parley/rate-limit';
import { userRateLimitPrefix } from '@parley/keyspace';
import type { Redis } from '@parley/redis';

export interface WriteRateLimitSettings {
  redis: Redis;
  redisKeyPrefix: string;
  writesPerMinute: number;
  friendRequestsPerMinute: number;
}

export interface WriteRateLimits {
  /** Every write endpoint, per user. */
  writeLimit: RequestHandler;
  /** Sending friend requests, per user (on top of the write limit). */
  friendRequestLimit: RequestHandler;
}

/** Per-user limits on write endpoints, shared by all pods through Redis; 429 with Retry-After. */
export function createWriteRateLimits(settings: WriteRateLimitSettings): WriteRateLimits {
  const perUserPerMinute = (name: string, points: number) =>
    perUser(
      createRateLimit({
        redis: settings.redis,
        keyPrefix: userRateLimitPrefix(settings.redisKeyPrefix, name),
        points,
        durationSeconds: 60,
      }),
    );
  return {
    writeLimit: perUserPerMinute('write', settings.writesPerMinute),
    friendRequestLimit: perUserPerMinute('friend-request', settings.friendRequestsPerMinute),
  };
}

function perUser(limit: RateLimit): RequestHandler {
  return async (_req, res, next) => {
    await limit.consume(principalOf(res).userId);
    next();
  };
}
