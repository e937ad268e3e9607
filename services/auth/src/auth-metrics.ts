import { Counter, type Registry } from '@parley/metrics';

export type LoginOutcome = 'success' | 'failure' | 'rate_limited';
export type RefreshOutcome = 'success' | 'reuse_detected' | 'invalid';
export type LimiterName = 'login_account_ip' | 'login_ip' | 'register_ip' | 'code_request_account' | 'code_request_ip';

export interface AuthMetrics {
  logins: Counter<'outcome'>;
  refreshes: Counter<'outcome'>;
  refreshReuseDetections: Counter;
  rateLimitRejections: Counter<'limiter'>;
  registrations: Counter;
  passwordVerifications: Counter;
}

/** Auth-specific counters, on the service's own registry (served by /metrics). */
export function createAuthMetrics(registry: Registry): AuthMetrics {
  const metrics: AuthMetrics = {
    logins: new Counter({
      name: 'parley_auth_logins_total',
      help: 'Login attempts by outcome.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    refreshes: new Counter({
      name: 'parley_auth_refreshes_total',
      help: 'Refresh-token exchanges by outcome.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    refreshReuseDetections: new Counter({
      name: 'parley_auth_refresh_reuse_detections_total',
      help: 'Used refresh tokens presented again after the grace window (their family was revoked).',
      registers: [registry],
    }),
    rateLimitRejections: new Counter({
      name: 'parley_auth_rate_limit_rejections_total',
      help: 'Requests refused with 429, by limiter.',
      labelNames: ['limiter'] as const,
      registers: [registry],
    }),
    registrations: new Counter({
      name: 'parley_auth_registrations_total',
      help: 'Accounts registered.',
      registers: [registry],
    }),
    passwordVerifications: new Counter({
      name: 'parley_auth_password_verifications_total',
      help: 'argon2 password verifications run by logins (unknown accounts included): the CPU a login flood costs.',
      registers: [registry],
    }),
  };
  // Series exist from the start, so rates and alerts work before the first event.
  for (const outcome of ['success', 'failure', 'rate_limited'] satisfies LoginOutcome[]) metrics.logins.inc({ outcome }, 0);
  for (const outcome of ['success', 'reuse_detected', 'invalid'] satisfies RefreshOutcome[]) metrics.refreshes.inc({ outcome }, 0);
  const limiters: LimiterName[] = ['login_account_ip', 'login_ip', 'register_ip', 'code_request_account', 'code_request_ip'];
  for (const limiter of limiters) metrics.rateLimitRejections.inc({ limiter }, 0);
  return metrics;
}
