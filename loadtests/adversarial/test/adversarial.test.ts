import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdversarialPlatform, type AdversarialPlatform } from '../src/adversarial-platform.js';
import type { CaseResult } from '../src/case-result.js';
import { formatResultsTable } from '../src/results-table.js';
import { SESSION_CLOSE_PROMISE_MS } from '../src/cases/session-sockets.js';
import { FAST_SETTINGS, runAdversarial, type AdversarialSettings } from '../src/run-adversarial.js';

/**
 * The fast part of `npm run test:adversarial`: the platform started by the built launcher as
 * `npm start` does (private PostgreSQL, private Redis with appendfsync always), and every
 * attack with small counts. The fault matrix and the large counts run only in the full suite.
 */
let platform: AdversarialPlatform;
let results: CaseResult[] = [];

/**
 * Not the promise. `npm run test:adversarial` fails a session whose sockets close later than
 * SESSION_CLOSE_PROMISE_MS (1 s) after the revoking request; here, next to the rest of npm test
 * on a loaded 2-core CI machine, timings are not asserted tightly: this bound only catches
 * sockets left to a timeout (the case waits 5 s before counting one as left open).
 */
const LOADED_CI_CLOSE_BOUND_MS = 3_000;

const FAST_IN_NPM_TEST: AdversarialSettings = { ...FAST_SETTINGS, sessions: { ...FAST_SETTINGS.sessions, closeWithinMs: LOADED_CI_CLOSE_BOUND_MS } };

beforeAll(async () => {
  platform = await startAdversarialPlatform();
  results = await runAdversarial(platform, FAST_IN_NPM_TEST);
  console.log(formatResultsTable(results));
}, 240_000);

afterAll(async () => {
  await platform?.stop();
});

const result = (name: string | RegExp): CaseResult => {
  const found = results.find((candidate) => (typeof name === 'string' ? candidate.name === name : name.test(candidate.name)));
  if (!found) throw new Error(`no result for ${name}`);
  return found;
};

/** What a case must show: nothing let in, nothing lost, every other check held (its problems listed otherwise). */
const held = (found: CaseResult) => ({ accepted: found.accepted, lost: found.lost, problems: found.problems });
const clean = { accepted: 0, lost: 0, problems: [] };

describe('the platform under attack, as npm start runs it (fast part)', () => {
  it('lets no forged token in, over REST or the handshake (alg none, HS256 with the public key, expired, wrong aud/iss, unknown kid, tampered, jwk/jku headers)', () => {
    const found = result('forged tokens');
    expect(found.tried).toBeGreaterThan(80);
    expect(held(found)).toEqual(clean);
  });

  it('opens no socket for a foreign Origin and allows none in CORS', () => {
    expect(held(result('foreign Origin'))).toEqual(clean);
  });

  it('lets an outsider or a removed member do nothing in a private room, and delivers them nothing of it', () => {
    expect(held(result('authorization matrix'))).toEqual(clean);
  });

  it('stores and delivers one message for 100 sends of one clientMsgId', () => {
    const found = result(/^idempotency/);
    expect(held(found)).toEqual(clean);
    expect(found.figures).toMatchObject({ distinctMessages: 1, rowsStored: 1, deliveries: 1 });
  });

  it('refuses a NUL body among other users’ messages and loses none of theirs', () => {
    const found = result('poison message (NUL)');
    expect(held(found)).toEqual(clean);
    expect(found.figures.othersPersisted).toBe(found.figures.othersAcked);
  });

  it(`closes the sockets of ended sessions (logout, logout-all, password reset) within the loaded-CI bound of ${LOADED_CI_CLOSE_BOUND_MS} ms (the promise, ${SESSION_CLOSE_PROMISE_MS} ms, is the full suite's) and accepts nothing after`, () => {
    const found = result('sessions vs live sockets');
    const slowest = Number(found.figures.slowestCloseMs);
    console.log(`sessions: slowest close ${slowest} ms (promise ${SESSION_CLOSE_PROMISE_MS} ms${slowest > SESSION_CLOSE_PROMISE_MS ? ', NOT kept in this run' : ''}); ${JSON.stringify(found.figures)}`);
    expect(held(found)).toEqual(clean);
    expect(found.figures.closeWithinMs).toBe(LOADED_CI_CLOSE_BOUND_MS);
    expect(found.tried).toBeGreaterThan(0);
  });

  it('lets a user put out while their sockets connect, read and send (removed from the room, signed out everywhere, account deleted) receive and send nothing of the room after', () => {
    const found = result('removal races');
    console.log(`removal races: ${JSON.stringify(found.figures)}`);
    expect(held(found)).toEqual(clean);
    // The race took place: sockets were in the room before and connected after the removal.
    expect(Number(found.figures.deliveredBeforeRemoval)).toBeGreaterThan(0);
    expect(Number(found.figures.connectedAfterRemoval)).toBeGreaterThan(0);
  });

  it('verifies no more guesses than the login limits allow under concurrency', () => {
    const found = result('login limiter races');
    expect(held(found)).toEqual(clean);
    expect(Number(found.figures.guessesVerified)).toBeLessThanOrEqual(platform.loginLimits.perAccountIp);
  });

  it('answers fuzzed payloads with no 5xx, no internal ack and no crash, leaving the victim’s data alone', () => {
    const found = result(/^fuzzing/);
    expect(held(found)).toEqual(clean);
    expect(found.tried).toBe(FAST_SETTINGS.fuzzCount);
  });
});
