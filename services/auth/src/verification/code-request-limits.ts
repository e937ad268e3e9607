import type { Redis } from '@parley/redis';
import { RateLimitedError } from '@parley/errors';
import { createRateLimit, type RateLimit } from '@parley/rate-limit';
import { authRateLimitPrefix } from '@parley/keyspace';
import type { AuthMetrics } from '../auth-metrics.js';

export interface CodeRequestLimitSettings {
  redis: Redis;
  redisKeyPrefix: string;
  perAccount: number;
  perIp: number;
  windowSeconds: number;
  metrics: AuthMetrics;
}

/** Limits on sending codes (mail costs, and an inbox must not be flooded): per account and per IP. */
export class CodeRequestLimits {
  private readonly perAccount: RateLimit;
  private readonly perIp: RateLimit;

  constructor(private readonly settings: CodeRequestLimitSettings) {
    this.perAccount = createRateLimit({
      redis: settings.redis,
      keyPrefix: authRateLimitPrefix(settings.redisKeyPrefix, 'code-account'),
      points: settings.perAccount,
      durationSeconds: settings.windowSeconds,
    });
    this.perIp = createRateLimit({
      redis: settings.redis,
      keyPrefix: authRateLimitPrefix(settings.redisKeyPrefix, 'code-ip'),
      points: settings.perIp,
      durationSeconds: settings.windowSeconds,
    });
  }

  /** `accountKey` names the account or, for unknown addresses, the address itself. */
  async consume(accountKey: string, ip: string): Promise<void> {
    try {
      await this.perIp.consume(ip);
    } catch (error) {
      if (error instanceof RateLimitedError) this.settings.metrics.rateLimitRejections.inc({ limiter: 'code_request_ip' });
      throw error;
    }
    try {
      await this.perAccount.consume(accountKey);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        this.settings.metrics.rateLimitRejections.inc({ limiter: 'code_request_account' });
      }
      throw error;
    }
  }
}
