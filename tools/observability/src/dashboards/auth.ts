import { NS, RATE, type DashboardSpec } from './dashboard-kit.js';

const AUTH = `${NS}, service="auth"`;

/** Logins, refreshes, abuse and the auth API's own latency and errors. */
export const authDashboard: DashboardSpec = {
  uid: 'parley-auth',
  title: 'Parley auth',
  description: 'The auth service: logins by outcome, refresh-token rotation and reuse detection, rate-limit rejections, registrations, API latency and errors.',
  rows: [
    {
      title: 'Logins and sessions',
      panels: [
        {
          title: 'Logins by outcome',
          description: 'Login attempts per second: `success`, `failure` (wrong pair) and `rate_limited` (refused by the brute-force limits). Failures well above successes fire ParleyLoginBruteForce.',
          unit: 'ops',
          stacked: true,
          targets: [{ expr: `sum by (outcome) (rate(parley_auth_logins_total{${AUTH}}[${RATE}]))`, legend: '{{outcome}}' }],
        },
        {
          title: 'Login failure ratio',
          description: 'Share of login attempts that failed or were rate limited, over 5 minutes.',
          unit: 'percentunit',
          min: 0,
          targets: [
            {
              expr: `sum(namespace_outcome:parley_auth_logins:rate5m{${NS}, outcome=~"failure|rate_limited"}) / sum(namespace_outcome:parley_auth_logins:rate5m{${NS}})`,
              legend: 'failed',
            },
          ],
        },
        {
          title: 'Refreshes by outcome',
          description: 'Refresh-token exchanges: `success`, `invalid` (unknown, expired or revoked token) and `reuse_detected` (a spent token presented again after the grace window: its family was revoked).',
          unit: 'ops',
          stacked: true,
          targets: [{ expr: `sum by (outcome) (rate(parley_auth_refreshes_total{${AUTH}}[${RATE}]))`, legend: '{{outcome}}' }],
        },
        {
          title: 'Refresh-token reuse detections',
          description: 'Token families revoked because a spent refresh token came back: a stolen token, or a client that keeps old tokens. Per hour.',
          targets: [{ expr: `sum(increase(parley_auth_refresh_reuse_detections_total{${AUTH}}[1h]))`, legend: 'reuse detections' }],
        },
      ],
    },
    {
      title: 'Abuse and growth',
      panels: [
        {
          title: 'Rate-limit rejections by limiter',
          description: 'Requests refused with 429, by limiter: login per account+IP, login per IP, registration per IP, code requests per account and per IP.',
          unit: 'ops',
          stacked: true,
          targets: [{ expr: `sum by (limiter) (rate(parley_auth_rate_limit_rejections_total{${AUTH}}[${RATE}]))`, legend: '{{limiter}}' }],
        },
        {
          title: 'Registrations',
          description: 'Accounts registered per hour.',
          targets: [{ expr: `sum(increase(parley_auth_registrations_total{${AUTH}}[1h]))`, legend: 'registrations' }],
        },
      ],
    },
    {
      title: 'API',
      panels: [
        {
          title: 'Requests per second by route',
          description: 'Auth API traffic per route template and status code.',
          unit: 'reqps',
          targets: [{ expr: `sum by (route, status_code) (rate(parley_http_request_duration_seconds_count{${AUTH}}[${RATE}]))`, legend: '{{route}} {{status_code}}' }],
        },
        {
          title: 'p95 latency by route',
          description: 'Logins and registrations spend most of their time in argon2id hashing (OWASP parameters), on purpose.',
          unit: 's',
          targets: [
            {
              expr: `histogram_quantile(0.95, sum by (le, route) (rate(parley_http_request_duration_seconds_bucket{${AUTH}}[${RATE}])))`,
              legend: '{{route}}',
            },
          ],
        },
      ],
    },
  ],
};
