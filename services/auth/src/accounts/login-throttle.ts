import type { Redis } from '@parley/redis';
import { RateLimitedError } from '@parley/errors';
import { createRateLimit, type RateLimit } from '@parley/rate-limit';
import { authRateLimitPrefix } from '@parley/keyspace';
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
 * Brute-force defence per account+IP (a guesser at one account is stopped, its owner elsewhere
 * is not) and per IP (one source spraying many accounts). Every attempt takes its point
 * atomically in Redis BEFORE the password is verified, so concurrent guesses cannot all pass a
 * check made before any of them was counted; a success gives the point back, so only failures
 * use the limits up.
 */
export class LoginThrottle {
  private readonly perAccountIp: RateLimit;
  private readonly perIp: RateLimit;

  constructor(private readonly settings: LoginThrottleSettings) {
    this.perAccountIp = createRateLimit({
      redis: settings.redis,
      keyPrefix: authRateLimitPrefix(settings.redisKeyPrefix, 'login-account-ip'),
      points: settings.perAccountIp,
      durationSeconds: settings.windowSeconds,
    });
    this.perIp = createRateLimit({
      redis: settings.redis,
      keyPrefix: authRateLimitPrefix(settings.redisKeyPrefix, 'login-ip'),
      points: settings.perIp,
      durationSeconds: settings.windowSeconds,
    });
  }

  /**
   * Takes one attempt from both limits, or throws RateLimitedError (429 + Retry-After) when
   * either is exhausted; nothing may be verified then.
   */
  async acquire(accountKey: string, ip: string): Promise<void> {
    const accountIp = accountIpKey(accountKey, ip);
    await this.guard('login_account_ip', () => this.perAccountIp.consume(accountIp));
    try {
      await this.guard('login_ip', () => this.perIp.consume(ip));
    } catch (error) {
      // Refused by the IP limit: this attempt never reaches the account.
      await this.perAccountIp.reward(accountIp);
      throw error;
    }
  }

  /** The password was right: the account+IP count starts over and the IP gets its point back. */
  async succeeded(accountKey: string, ip: string): Promise<void> {
    await Promise.all([this.perAccountIp.reset(accountIpKey(accountKey, ip)), this.perIp.reward(ip)]);
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
