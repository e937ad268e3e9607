import { Agent } from 'node:http';
import { REST_ROUTES, type FuzzIdentity, type ServiceName } from './api-surface.js';
import { RandomSource } from './random-source.js';
import { buildRestCase, sendRestCase } from './rest-fuzzer.js';
import { buildHandshakeCase, buildSocketCase, SocketSession, tryHandshake } from './socket-fuzzer.js';

/** Where the platform answers. Behind the launcher's gateway (or an ingress) all URLs are the same. */
export interface FuzzTarget {
  baseUrls: Record<ServiceName, string>;
  /** Where sockets connect: chat-socket, or the gateway. */
  socketUrl: string;
  /** Origin sent with socket handshakes (the server's allow-list), if it checks one. */
  origin?: string;
}

export interface FuzzSettings {
  target: FuzzTarget;
  identity: FuzzIdentity;
  /** Payloads to send in all. */
  count: number;
  /** Same seed, same payloads: case `i` of seed `s` is reproduced with `only: [i]`. */
  seed: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Per request, ack or handshake (default 15 s). */
  timeoutMs?: number;
  /** Replay only these case numbers. */
  only?: number[];
  /** Called every `progressEvery` cases (default 500), e.g. to sample a server's memory. */
  onProgress?: (done: number, report: FuzzReport) => void | Promise<void>;
  progressEvery?: number;
}

export type FuzzCaseKind = 'rest' | 'socket' | 'handshake' | 'fuzzer';

/** A payload that got an answer it must never get. */
export interface FuzzFinding {
  index: number;
  kind: FuzzCaseKind;
  /** `POST /api/v1/rooms/:id/read`, `socket room:sync`, `handshake`. */
  target: string;
  change: string;
  outcome: string;
}

export interface FuzzReport {
  seed: number;
  tried: number;
  durationMs: number;
  /** `rest 400`, `socket invalid`, `handshake unauthorized`, … */
  outcomes: Record<string, number>;
  /** Cases per target, so a run shows it covered every route and event. */
  targets: Record<string, number>;
  /** HTTP 5xx answers. */
  serverErrors: number;
  /** Socket acks with `internal`. */
  internalAcks: number;
  /** Acks or handshakes answered `unavailable` while the platform was up. */
  unavailable: number;
  /** Acked events that got no ack (or a malformed one) while the socket stayed up. */
  unanswered: number;
  /** Requests with no HTTP answer at all (connection reset, timeout). */
  transportErrors: number;
  /** Hostile handshakes that got a connected socket. */
  handshakesAccepted: number;
  /** Sockets the server closed (oversized frames, floods): expected, counted. */
  disconnects: number;
  /** Bodies over the services' 64 KB limit whose connection was closed instead of answered 413. */
  oversizedBodiesCut: number;
  /** Cases Node itself refused to send (header characters, reserved event names). */
  notSendable: number;
  /** Cases the fuzzer itself failed to build or send (a bug here, not in the platform). */
  fuzzerErrors: number;
  /** The first findings of every kind above, to reproduce them. */
  findings: FuzzFinding[];
}

const MAX_FINDINGS = 100;

/** The services' JSON body limit (createHttpApp's `bodyLimit` default). */
const BODY_LIMIT_BYTES = 64 * 1024;

/** The counters that must stay at 0 for a run to pass. */
export function fuzzFailures(report: FuzzReport): number {
  return report.serverErrors + report.internalAcks + report.unavailable + report.unanswered + report.transportErrors + report.handshakesAccepted + report.fuzzerErrors;
}

/**
 * Sends `count` generated payloads at every REST route (75%), every client socket event (20%)
 * and the handshake (5%), `concurrency` at a time, and counts every answer a malformed input
 * must never get: a 5xx, an `internal` or `unavailable` ack, no answer, a dropped connection,
 * a hostile handshake let in. Deterministic per seed and case number.
 */
export async function runFuzz(settings: FuzzSettings): Promise<FuzzReport> {
  const startedAt = Date.now();
  const timeoutMs = settings.timeoutMs ?? 15_000;
  const concurrency = settings.concurrency ?? 4;
  const routes = REST_ROUTES.filter((route) => route.credentials !== 'internal-token' || settings.identity.internalToken);
  const report: FuzzReport = {
    seed: settings.seed,
    tried: 0,
    durationMs: 0,
    outcomes: {},
    targets: {},
    serverErrors: 0,
    internalAcks: 0,
    unavailable: 0,
    unanswered: 0,
    transportErrors: 0,
    handshakesAccepted: 0,
    disconnects: 0,
    oversizedBodiesCut: 0,
    notSendable: 0,
    fuzzerErrors: 0,
    findings: [],
  };
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const sessions: SocketSession[] = [];
  const indexes = settings.only ?? Array.from({ length: settings.count }, (_, index) => index);
  let next = 0;
  const progressEvery = settings.progressEvery ?? 500;

  const count = (map: Record<string, number>, key: string) => {
    map[key] = (map[key] ?? 0) + 1;
  };
  const finding = (found: FuzzFinding) => {
    if (report.findings.length < MAX_FINDINGS) report.findings.push(found);
  };

  const runCase = async (index: number, session: SocketSession) => {
    const random = RandomSource.forCase(settings.seed, index);
    const roll = random.int(0, 99);
    if (roll < 75) {
      const testCase = buildRestCase(random.pick(routes), settings.identity, random);
      const target = `${testCase.method} ${testCase.route.path}`;
      count(report.targets, target);
      const outcome = await sendRestCase(settings.target.baseUrls, testCase, agent, timeoutMs);
      if (outcome.notSendable) {
        report.notSendable += 1;
        count(report.outcomes, 'rest not sendable');
        return;
      }
      count(report.outcomes, `rest ${outcome.status ?? 'no answer'}`);
      const found = (what: string) => finding({ index, kind: 'rest', target, change: testCase.change, outcome: what });
      if (outcome.status === undefined && (testCase.body?.length ?? 0) > BODY_LIMIT_BYTES) {
        // HTTP lets a server close the connection instead of reading a body over its limit (a
        // proxy in front may do so before the 413 is read): a refusal, not a failure.
        report.oversizedBodiesCut += 1;
      } else if (outcome.status === undefined) {
        report.transportErrors += 1;
        found(`no answer: ${outcome.error}`);
      } else if (outcome.status >= 500) {
        report.serverErrors += 1;
        found(`${outcome.status} ${outcome.code ?? ''}`.trim());
      }
      return;
    }
    if (roll < 95) {
      const testCase = buildSocketCase(settings.identity, random);
      const target = `socket ${testCase.event}`;
      count(report.targets, target);
      const outcome = await session.emit(testCase, timeoutMs);
      const found = (what: string) => finding({ index, kind: 'socket', target, change: testCase.change, outcome: what });
      if (outcome.notSendable) {
        report.notSendable += 1;
        count(report.outcomes, 'socket not sendable');
      } else if (outcome.disconnected) {
        count(report.outcomes, 'socket disconnected by the server');
      } else if (outcome.error !== undefined) {
        report.unanswered += 1;
        count(report.outcomes, 'socket unanswered');
        found(outcome.error);
      } else {
        count(report.outcomes, `socket ${outcome.ack ?? 'sent'}`);
        if (outcome.ack === 'internal') {
          report.internalAcks += 1;
          found('internal');
        } else if (outcome.ack === 'unavailable') {
          report.unavailable += 1;
          found('unavailable');
        }
      }
      return;
    }
    const testCase = buildHandshakeCase(settings.identity, random);
    count(report.targets, 'handshake');
    const outcome = await tryHandshake(settings.target.socketUrl, settings.target.origin, testCase, timeoutMs);
    count(report.outcomes, `handshake ${outcome.result}`);
    const found = (what: string) => finding({ index, kind: 'handshake', target: 'handshake', change: testCase.change, outcome: what });
    if (outcome.result === 'connected') {
      if (!testCase.carriesValidToken) {
        report.handshakesAccepted += 1;
        found('connected');
      }
    } else if (outcome.result === 'unavailable') {
      report.unavailable += 1;
      found('unavailable');
    } else if (!['unauthorized', 'not sendable', 'closed by the server'].includes(outcome.result)) {
      report.unanswered += 1;
      found(outcome.result);
    }
  };

  const worker = async () => {
    const session = new SocketSession(settings.target.socketUrl, settings.identity.token, settings.target.origin);
    sessions.push(session);
    for (;;) {
      const position = next;
      next += 1;
      if (position >= indexes.length) return;
      const index = indexes[position]!;
      // Every step of a case has its own timeout; this one catches a case that hangs anyway.
      let watchdog: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => {
        watchdog = setTimeout(() => reject(new Error(`case did not finish within ${2 * timeoutMs} ms`)), 2 * timeoutMs);
      });
      await Promise.race([runCase(index, session), hung])
        .catch((error: unknown) => {
          report.fuzzerErrors += 1;
          finding({ index, kind: 'fuzzer', target: 'the fuzzer itself', change: '-', outcome: error instanceof Error ? error.message : String(error) });
        })
        .finally(() => clearTimeout(watchdog));
      report.tried += 1;
      if (settings.onProgress && report.tried % progressEvery === 0) {
        report.durationMs = Date.now() - startedAt;
        await settings.onProgress(report.tried, report);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, () => worker()));
  } finally {
    for (const session of sessions) {
      report.disconnects += session.disconnects;
      session.close();
    }
    agent.destroy();
    report.durationMs = Date.now() - startedAt;
  }
  return report;
}
