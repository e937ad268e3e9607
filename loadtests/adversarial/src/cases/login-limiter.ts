import { caseResult, expectThat, type CaseResult } from '../case-result.js';
import type { Account, PlatformApi } from '../clients/platform-api.js';

/** How the auth service answered a batch of concurrent logins: 401 means the password was verified (and wrong). */
async function concurrentLogins(api: PlatformApi, attempts: Array<{ login: string; forwardedFor?: string }>): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  await Promise.all(
    attempts.map(async ({ login, forwardedFor }) => {
      const { status } = await api.request('POST', '/api/v1/auth/login', {
        body: { login, password: 'not the password at all' },
        ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
      });
      statuses[status] = (statuses[status] ?? 0) + 1;
    }),
  );
  return statuses;
}

/**
 * The login limits under concurrency, from one address: `guesses` wrong passwords for one
 * account at once may be verified at most LOGIN_LIMIT_PER_ACCOUNT_IP times; then `stuffing`
 * logins at as many accounts at once (with made-up X-Forwarded-For headers, which the gateway
 * must not let stand for the client's address) at most LOGIN_LIMIT_PER_IP times in all.
 * Must be run before anything else fails logins from this address in the window.
 */
export async function loginLimiterCase(api: PlatformApi, target: Account, limits: { perAccountIp: number; perIp: number }, guesses: number, stuffing: number): Promise<CaseResult> {
  const problems: string[] = [];
  const race = await concurrentLogins(api, Array.from({ length: guesses }, () => ({ login: target.username })));
  const raceVerified = race[401] ?? 0;
  const stuffed = await concurrentLogins(
    api,
    Array.from({ length: stuffing }, (_, index) => ({ login: index % 3 === 0 ? target.email : `adv_stuffed_${index}`, forwardedFor: `203.0.113.${index % 250}` })),
  );
  const stuffingVerified = stuffed[401] ?? 0;
  for (const [what, statuses] of [['guesses', race], ['stuffing', stuffed]] as const) {
    const others = Object.entries(statuses).filter(([status]) => status !== '401' && status !== '429');
    expectThat(problems, others.length === 0, `${what} answered ${others.map(([status, count]) => `${count}× ${status}`).join(', ')}`);
  }
  expectThat(problems, raceVerified <= limits.perAccountIp, `${raceVerified} of ${guesses} concurrent guesses at one account were verified (limit ${limits.perAccountIp})`);
  expectThat(problems, raceVerified + stuffingVerified <= limits.perIp, `${raceVerified + stuffingVerified} failed logins from one address were verified (limit ${limits.perIp})`);
  // At least the first attempts must be verified, or the case tested nothing.
  expectThat(problems, raceVerified > 0, 'no guess was verified at all: the account was already limited');
  return caseResult(
    {
      name: 'login limiter races',
      unit: 'concurrent logins',
      tried: guesses + stuffing,
      accepted: Math.max(0, raceVerified - limits.perAccountIp) + Math.max(0, raceVerified + stuffingVerified - limits.perIp),
      lost: 0,
      figures: {
        guesses,
        guessesVerified: raceVerified,
        perAccountLimit: limits.perAccountIp,
        stuffing,
        stuffingVerified,
        perIpLimit: limits.perIp,
        refused429: (race[429] ?? 0) + (stuffed[429] ?? 0),
      },
    },
    problems,
  );
}
