import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzFailures, formatFuzzReport, prepareFuzzParties, REST_ROUTES, runFuzz, SOCKET_EVENTS, victimSnapshot, type FuzzParties, type FuzzReport } from '../src/index.js';
import { startInProcessPlatform, type InProcessPlatform } from './support/in-process-platform.js';

/**
 * FUZZ_COUNT and FUZZ_SEED replay or lengthen a run (the suite's run is fixed, so it is the
 * same every time); FUZZ_REPORT=1 prints the table of answers.
 */
const COUNT = Number(process.env.FUZZ_COUNT ?? 2_500);
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_118);

let platform: InProcessPlatform;
let parties: FuzzParties;
let before: Record<string, unknown>;
let report: FuzzReport;
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
const originalPrototypeKeys = prototypeKeys();

beforeAll(async () => {
  platform = await startInProcessPlatform('fuzz');
  parties = await prepareFuzzParties(platform.target, { internalToken: platform.internalToken });
  before = await victimSnapshot(platform.target, parties.victim);
  report = await runFuzz({
    target: platform.target,
    identity: parties.attacker,
    count: COUNT,
    seed: SEED,
    concurrency: 4,
    ...(process.env.FUZZ_REPORT ? { onProgress: (done: number) => console.log(`${done} sent`) } : {}),
  });
  if (fuzzFailures(report) > 0 || process.env.FUZZ_REPORT) console.log(formatFuzzReport(report));
}, 600_000);

afterAll(async () => {
  await platform?.close();
});

describe(`${COUNT} fuzzed payloads against auth, user and chat-socket (seed ${SEED})`, () => {
  it('reach every REST route, every client socket event and the handshake', () => {
    expect(report.tried).toBe(COUNT);
    const targets = Object.keys(report.targets);
    for (const route of REST_ROUTES) expect(targets, `${route.method} ${route.path}`).toContain(`${route.method} ${route.path}`);
    for (const event of SOCKET_EVENTS) expect(targets, event.event).toContain(`socket ${event.event}`);
    expect(targets).toContain('handshake');
  });

  it('get no 5xx, no internal or unavailable ack, no dropped connection, every ack answered, no hostile handshake in', () => {
    expect(report.findings).toEqual([]);
    expect({
      serverErrors: report.serverErrors,
      internalAcks: report.internalAcks,
      unavailable: report.unavailable,
      unanswered: report.unanswered,
      transportErrors: report.transportErrors,
      handshakesAccepted: report.handshakesAccepted,
    }).toEqual({ serverErrors: 0, internalAcks: 0, unavailable: 0, unanswered: 0, transportErrors: 0, handshakesAccepted: 0 });
    // Most payloads are refused as invalid; some well-formed ones do real work in between.
    expect(report.outcomes['rest 400']).toBeGreaterThan(COUNT / 4);
    expect(report.outcomes['socket invalid']).toBeGreaterThan(0);
  });

  it('leave the victim’s data as it was', async () => {
    expect(await victimSnapshot(platform.target, parties.victim)).toEqual(before);
  });

  it('pollute no prototype, and leave every service serving (the attacker’s own session included)', async () => {
    expect(prototypeKeys()).toEqual(originalPrototypeKeys);
    expect(({} as Record<string, unknown>).parleyFuzzPolluted).toBeUndefined();
    for (const [service, path] of [['auth', '/api/v1/auth/me'], ['user', '/api/v1/users/me'], ['chat', '/api/v1/rooms']] as const) {
      const response = await fetch(new URL(path, platform.target.baseUrls[service]), { headers: { authorization: `Bearer ${parties.attacker.token}` } });
      expect(response.status, path).toBe(200);
    }
  });

  it('send nothing to the persistence worker that it cannot store', async () => {
    const [{ count }] = await platform.chat.dataSource.query('SELECT count(*)::int AS count FROM chat.message_dead_letters');
    expect(count).toBe(0);
  });
});
