// auth-burst: normal users log in and refresh at rising rates while a brute-forcer guesses
// passwords of a few accounts. Normal users must never get 429; the brute-forcer must.
// Keep the brute-forcer's total guesses under LOGIN_LIMIT_PER_IP (100 per 15 minutes by
// default): k6 sends everything from one address, and past that limit every login from it is
// refused — which is the per-IP defence working, not a failure of normal users.
//
//   k6 run -e BASE_URL=http://localhost:8080 -e PEAK_RATE=50 loadtests/k6/scenarios/auth-burst.js
import { check } from 'k6';
import exec from 'k6/execution';
import { Rate } from 'k6/metrics';
import { bodyOf, ensureUsers, login, refresh } from '../lib/http-api.js';
import { envDurationMs, envInt, k6Duration, RUN_ID } from '../lib/config.js';
import { profile } from '../lib/profiles.js';
import { summaryHandler, summaryTrendStats } from '../lib/summary.js';

const chosen = profile();
const PEAK_RATE = envInt('PEAK_RATE', chosen.authRate);
const STAGE_MS = envDurationMs('STAGE', '20s');
const USERS = envInt('USERS', 20);
const VICTIMS = envInt('VICTIMS', 3);
/** Guesses per second against the victims (default: 60 guesses over the run). */
const ATTACK_RATE = envInt('ATTACK_RATE', 1);

const normalRateLimited = new Rate('auth_normal_rate_limited');
const bruteForceBlocked = new Rate('auth_brute_force_blocked');
const bruteForceAccepted = new Rate('auth_brute_force_accepted');

const stages = [0.25, 0.5, 0.75, 1].map((share) => ({ target: Math.max(1, Math.round(PEAK_RATE * share)), duration: k6Duration(STAGE_MS) }));

export const options = {
  scenarios: {
    normal: {
      executor: 'ramping-arrival-rate',
      exec: 'normalUser',
      startRate: 1,
      timeUnit: '1s',
      stages,
      preAllocatedVUs: Math.max(10, PEAK_RATE * 2),
      maxVUs: Math.max(20, PEAK_RATE * 5),
    },
    bruteForce: {
      executor: 'constant-arrival-rate',
      exec: 'bruteForcer',
      rate: ATTACK_RATE,
      timeUnit: '1s',
      duration: k6Duration(STAGE_MS * stages.length),
      preAllocatedVUs: 5,
      maxVUs: 20,
    },
  },
  setupTimeout: k6Duration(60000 + (USERS + VICTIMS) * 200),
  thresholds: {
    auth_normal_rate_limited: ['rate==0'],
    // Past 5 wrong guesses per account the limiter answers 429: most guesses must be blocked.
    auth_brute_force_blocked: ['rate>0.5'],
    auth_brute_force_accepted: ['rate==0'],
    'http_req_duration{name:login}': ['p(95)<1000'],
    'http_req_duration{name:refresh}': ['p(95)<500'],
  },
  summaryTrendStats,
};

export function setup() {
  const users = ensureUsers(RUN_ID, USERS + VICTIMS);
  return { victims: users.slice(0, VICTIMS).map((user) => user.username), normal: users.slice(VICTIMS).map((user) => user.username) };
}

export function normalUser(data) {
  const username = data.normal[exec.scenario.iterationInTest % data.normal.length];
  const response = login(username, undefined, [200]);
  normalRateLimited.add(response.status === 429);
  if (!check(response, { 'normal login 200': (r) => r.status === 200 })) return;
  const refreshed = refresh(bodyOf(response).refreshToken);
  normalRateLimited.add(refreshed.status === 429);
  check(refreshed, { 'refresh 200': (r) => r.status === 200 });
}

export function bruteForcer(data) {
  const victim = data.victims[exec.scenario.iterationInTest % data.victims.length];
  // Wrong passwords are the point here: 401 and 429 are the expected answers.
  const response = login(victim, `wrong-guess-${exec.scenario.iterationInTest}`, [401, 429]);
  bruteForceBlocked.add(response.status === 429);
  bruteForceAccepted.add(response.status === 200);
  check(response, { 'guess refused': (r) => r.status === 401 || r.status === 429 });
}

export const handleSummary = summaryHandler('auth-burst');

