import type { Redis } from 'ioredis';
import { RateLimitedError } from '@parley/errors';
import { createRateLimit, type RateLimit } from '@parley/rate-limit';
import { redisKey } from '@parley/redis';
import type { AuthMetrics, LimiterName } from '../auth-metrics.js';

export interface LoginThrottleSettings {
  redis: Redis;
  redisKeyPrefix: string;
  perAccountIp: number;
  perIp: number;
  windowSeconds: number;
  metrics: AuthMetrics;
}

/**
 * Brute-force defence that counts only failures: per account+IP (a guesser at one account
 * is stopped, its owner elsewhere is not) and per IP (one source spraying many accounts).
 */
export class LoginThrottle {
  private readonly perAccountIp: RateLimit;
  private readonly perIp: RateLimit;

  constructor(private readonly settings: LoginThrottleSettings) {
    this.perAccountIp = createRateLimit({
      redis: settings.redis,
      keyPrefix: redisKey(settings.redisKeyPrefix, 'rl', 'login-account-ip'),
      points: settings.perAccountIp,
      durationSeconds: settings.windowSeconds,
    });
    this.perIp = createRateLimit({
      redis: settings.redis,
      keyPrefix: redisKey(settings.redisKeyPrefix, 'rl', 'login-ip'),
      points: settings.perIp,
      durationSeconds: settings.windowSeconds,
    });
  }

  /** Throws RateLimitedError (429 + Retry-After) while either limit is exhausted. */
  async check(accountKey: string, ip: string): Promise<void> {
    await this.guard('login_account_ip', () => this.perAccountIp.check(accountIpKey(accountKey, ip)));
    await this.guard('login_ip', () => this.perIp.check(ip));
  }

  async recordFailure(accountKey: string, ip: string): Promise<void> {
    // Exhausting a limit here still answers this attempt with 401; the next one gets 429.
    await Promise.all([
      this.perAccountIp.consume(accountIpKey(accountKey, ip)).catch(ignoreRateLimited),
      this.perIp.consume(ip).catch(ignoreRateLimited),
    ]);
  }

  async recordSuccess(accountKey: string, ip: string): Promise<void> {
    await this.perAccountIp.reset(accountIpKey(accountKey, ip));
  }

  private async guard(limiter: LimiterName, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (error instanceof RateLimitedError) this.settings.metrics.rateLimitRejections.inc({ limiter });
      throw error;
    }
  }
}

function accountIpKey(accountKey: string, ip: string): string {
  return `${accountKey}|${ip}`;
}

function ignoreRateLimited(error: unknown): void {
  if (!(error instanceof RateLimitedError)) throw error;
}
