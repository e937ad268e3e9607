import type { AdversarialPlatform } from './adversarial-platform.js';
import type { CaseResult } from './case-result.js';
import { authorizationMatrixCase } from './cases/authorization-matrix.js';
import { faultMatrixCases, FAULTS, type FaultMatrixSettings } from './cases/fault-matrix.js';
import { forgedTokensCase } from './cases/forged-tokens.js';
import { foreignOriginCase } from './cases/foreign-origin.js';
import { fuzzingCase } from './cases/fuzzing.js';
import { idempotencyCase } from './cases/idempotency.js';
import { loginLimiterCase } from './cases/login-limiter.js';
import { poisonMessageCase } from './cases/poison-message.js';
import { removalRaceCase, type RemovalRaceSettings } from './cases/removal-race.js';
import { SESSION_CLOSE_PROMISE_MS, sessionSocketsCase, type SessionSocketsOptions } from './cases/session-sockets.js';
import { PlatformApi } from './clients/platform-api.js';

export interface AdversarialSettings {
  /** Each round presents every forged token to three REST routes and the handshake. */
  forgedTokenRounds: number;
  originRounds: number;
  /** Sends of one clientMsgId. */
  idempotencySends: number;
  /** Messages per user (three users) around as many poison bodies. */
  poisonMessagesPerUser: number;
  fuzzCount: number;
  fuzzSeed: number;
  /** Concurrent wrong passwords at one account, then concurrent logins at many accounts. */
  limiterGuesses: number;
  limiterStuffing: number;
  /** Sockets connecting, reading and sending while their user is removed, signed out everywhere or deleted. */
  removalRace: RemovalRaceSettings;
  /** `closeWithinMs`: a session's sockets closed slower than this fail the case (the promise: 1 s). */
  sessions: SessionSocketsOptions;
  /** Without it, no fault is injected (the fast part). */
  faults?: FaultMatrixSettings;
}

/** `npm run test:adversarial`: every case at the counts the issue asked for, PostgreSQL down a full minute. */
export const FULL_SETTINGS: AdversarialSettings = {
  forgedTokenRounds: 3,
  originRounds: 2,
  idempotencySends: 1_000,
  poisonMessagesPerUser: 40,
  fuzzCount: 10_000,
  fuzzSeed: 20_261_206,
  limiterGuesses: 200,
  limiterStuffing: 300,
  removalRace: { roundsPerKind: 3, socketsPerRound: 30, spreadMs: 600 },
  sessions: { reset: true, expiry: true, closeWithinMs: SESSION_CLOSE_PROMISE_MS },
  faults: {
    faults: FAULTS,
    rooms: 3,
    membersPerRoom: 6,
    sendEveryMs: 250,
    loadBeforeMs: 4_000,
    loadAfterMs: 6_000,
    postgresDownMs: 60_000,
    redisDownMs: 1_500,
  },
};

/** The part inside `npm test`: every attack with small counts, no fault. */
export const FAST_SETTINGS: AdversarialSettings = {
  forgedTokenRounds: 1,
  originRounds: 1,
  idempotencySends: 100,
  poisonMessagesPerUser: 10,
  fuzzCount: 300,
  fuzzSeed: 20_261_206,
  limiterGuesses: 200,
  limiterStuffing: 300,
  removalRace: { roundsPerKind: 1, socketsPerRound: 12, spreadMs: 400 },
  sessions: { reset: true, expiry: false, closeWithinMs: SESSION_CLOSE_PROMISE_MS },
};

/** A case that threw is reported as a failed row, so one broken case does not hide the others. */
async function guarded(name: string, run: () => Promise<CaseResult>): Promise<CaseResult[]> {
  try {
    return [await run()];
  } catch (error) {
    return [failedCase(name, error)];
  }
}

function failedCase(name: string, error: unknown): CaseResult {
  const message = error instanceof Error ? error.message : String(error);
  return { name, kind: 'attack', unit: '-', tried: 0, accepted: 0, lost: 0, ok: false, figures: {}, problems: [`the case itself failed: ${message}`] };
}

/**
 * Runs every case against a started platform, in an order where none spoils another: the
 * login limiter before anything else fails logins from this address, the fuzzer (which fails
 * many) after it, the faults last.
 */
export async function runAdversarial(platform: AdversarialPlatform, settings: AdversarialSettings, onResult: (result: CaseResult) => void = () => undefined): Promise<CaseResult[]> {
  const api = new PlatformApi(platform.url, platform.origin);
  const results: CaseResult[] = [];
  const record = (found: CaseResult[]) => {
    for (const result of found) {
      results.push(result);
      onResult(result);
    }
  };
  record(await guarded('forged tokens', async () => forgedTokensCase(api, platform.dataDir, await api.register('victim'), settings.forgedTokenRounds)));
  record(await guarded('foreign Origin', async () => foreignOriginCase(api, await api.register('origin'), settings.originRounds)));
  record(
    await guarded('authorization matrix', async () =>
      authorizationMatrixCase(api, { owner: await api.register('owner'), member: await api.register('member'), outsider: await api.register('outsider'), removed: await api.register('removed') }),
    ),
  );
  record(await guarded('removal races', async () => removalRaceCase(api, platform.db, await api.register('race_owner'), settings.removalRace)));
  record(await guarded('idempotency', async () => idempotencyCase(api, platform.db, await api.register('idem'), await api.register('idem_rx'), settings.idempotencySends)));
  record(
    await guarded('poison message', async () =>
      poisonMessageCase(api, platform.db, await api.register('poisoner'), [await api.register('p1'), await api.register('p2'), await api.register('p3')], settings.poisonMessagesPerUser),
    ),
  );
  record(await guarded('sessions vs live sockets', async () => sessionSocketsCase(api, platform.dataDir, settings.sessions)));
  record(await guarded('login limiter races', async () => loginLimiterCase(api, await api.register('limited'), platform.loginLimits, settings.limiterGuesses, settings.limiterStuffing)));
  record(await guarded('fuzzing', async () => fuzzingCase(platform, settings.fuzzCount, settings.fuzzSeed)));
  if (settings.faults) {
    try {
      await faultMatrixCases(platform, api, settings.faults, (result) => record([result]));
    } catch (error) {
      record([failedCase('fault matrix', error)]);
    }
  }
  return results;
}

/** The last line of a run: machine-readable figures per case. */
export function resultsJson(results: CaseResult[], extra: Record<string, unknown>): string {
  return JSON.stringify({
    suite: 'adversarial',
    ok: results.every((result) => result.ok),
    ...extra,
    cases: results.map(({ name, kind, unit, tried, accepted, lost, recoverMs, ok, figures, problems }) => ({ name, kind, unit, tried, accepted, lost, recoverMs: recoverMs ?? null, ok, figures, problems })),
  });
}
