import { performance } from 'node:perf_hooks';
import type { LoadOptions } from '../cli-options.js';
import { int, ms, textTable } from '../report/format.js';
import { renderHtmlReport } from '../report/html-report.js';
import { ProgressLine } from '../report/progress-line.js';
import { runCharts } from '../report/run-charts.js';
import { provisionCohort, type Cohort } from '../run/cohort.js';
import { sleep } from '../run/concurrency.js';
import { DeliveryLedger, type PhaseOutcome, type PhaseStats } from '../run/delivery-ledger.js';
import { PlatformApi } from '../run/platform-api.js';
import { drainPhase, runSendPhase } from '../run/send-phase.js';
import { SocketFleet } from '../run/socket-fleet.js';
import { MixedTraffic } from './mixed-traffic.js';
import { jsonNumber, writeReport, type ScenarioOutput } from './scenario-output.js';

/** The last line of `npm run load`: every count measured, none estimated. */
export interface FanoutSummary {
  scenario: string;
  ok: boolean;
  sockets: number;
  rooms: number;
  roomSize: number;
  targetRate: number;
  durationSeconds: number;
  sent: number;
  acknowledged: number;
  failed: Record<string, number>;
  expectedDeliveries: number;
  received: number;
  lost: number;
  duplicated: number;
  misdelivered: number;
  deliveredButRejected: number;
  filledBySync: number;
  acceptedPerSecond: number | null;
  deliveriesPerSecond: number | null;
  p50AckMs: number | null;
  p99AckMs: number | null;
  p50DeliveryMs: number | null;
  p95DeliveryMs: number | null;
  p99DeliveryMs: number | null;
  maxDeliveryMs: number | null;
  disconnects: number;
  reconnects: number;
  /** soak: delivery p99 of the last fifth of the run over that of the first fifth. */
  p99Drift?: number | null;
  failures: string[];
  reportPath: string;
}

/** fanout (and soak, with mixed traffic): users in rooms, a fixed send rate, every delivery checked. */
export async function runFanoutScenario(options: LoadOptions, output: ScenarioOutput, signal?: AbortSignal): Promise<FanoutSummary> {
  const api = new PlatformApi(options.baseUrl);
  const soak = options.scenario === 'soak';
  output.status(`registering ${options.sockets} users in rooms of ${options.roomSize} through ${options.baseUrl} …`);
  const cohort = await provisionCohort({
    api,
    users: options.sockets,
    roomSize: options.roomSize,
    concurrency: options.registerConcurrency,
    onProgress: progressReporter(output),
  });
  const ledger = new DeliveryLedger(cohort.topology);
  const fleet = new SocketFleet({ endpoints: options.socketUrls, users: cohort.users, ledger });
  output.status(`connecting ${options.sockets} sockets to ${options.socketUrls.join(', ')} …`);
  await fleet.connectAll(progressReporter(output));
  // Let joins, presence and adapter subscriptions settle before measuring.
  await sleep(1_000);

  const mixed = soak ? new MixedTraffic(api, cohort, fleet) : undefined;
  mixed?.start();
  const progress = new ProgressLine(ledger, fleet, Math.round(options.durationMs / 1000));
  let outcome: PhaseOutcome;
  let phase: PhaseStats;
  let connectedAtEnd = 0;
  try {
    phase = await runSendPhase({
      name: options.scenario,
      ledger,
      fleet,
      ratePerSecond: options.rate,
      durationMs: options.durationMs,
      ackTimeoutMs: options.ackTimeoutMs,
      bodyBytes: options.bodyBytes,
      onTick: (current) => progress.tick(current),
      ...(signal ? { signal } : {}),
    });
    await drainPhase(ledger, phase, { ackTimeoutMs: options.ackTimeoutMs, drainMs: options.drainMs, onTick: (current) => progress.tick(current) });
    progress.done();
    outcome = ledger.settle(phase);
    connectedAtEnd = fleet.connectedCount();
  } finally {
    await mixed?.stop();
    fleet.close();
  }

  const drift = soak ? p99Drift(phase) : undefined;
  const failures = integrityFailures(outcome, options.maxP99Ms, drift !== undefined && driftJudged(phase) ? drift : undefined);
  const summary: FanoutSummary = {
    scenario: options.scenario,
    ok: failures.length === 0,
    sockets: options.sockets,
    rooms: cohort.topology.roomIds.length,
    roomSize: options.roomSize,
    targetRate: options.rate,
    durationSeconds: jsonNumber(outcome.sendSeconds) ?? 0,
    sent: outcome.sent,
    acknowledged: outcome.acknowledged,
    failed: outcome.failed,
    expectedDeliveries: outcome.expectedDeliveries,
    received: outcome.received,
    lost: outcome.lost,
    duplicated: outcome.duplicated,
    misdelivered: outcome.misdelivered,
    deliveredButRejected: outcome.deliveredButRejected,
    filledBySync: outcome.filledBySync,
    acceptedPerSecond: jsonNumber(outcome.acceptedPerSecond),
    deliveriesPerSecond: jsonNumber(outcome.deliveriesPerSecond),
    p50AckMs: jsonNumber(outcome.p50AckMs),
    p99AckMs: jsonNumber(outcome.p99AckMs),
    p50DeliveryMs: jsonNumber(outcome.p50DeliveryMs),
    p95DeliveryMs: jsonNumber(outcome.p95DeliveryMs),
    p99DeliveryMs: jsonNumber(outcome.p99DeliveryMs),
    maxDeliveryMs: jsonNumber(outcome.maxDeliveryMs),
    disconnects: fleet.disconnects,
    reconnects: fleet.reconnects,
    ...(soak ? { p99Drift: jsonNumber(drift ?? Number.NaN, 2) } : {}),
    failures,
    reportPath: '',
  };
  const rows = summaryRows(outcome, fleet, connectedAtEnd, cohort, mixed);
  const html = renderHtmlReport({
    title: `Parley load test: ${options.scenario}`,
    facts: [
      `Date: ${new Date().toISOString()}`,
      `Target: ${options.baseUrl} (sockets via ${options.socketUrls.join(', ')})`,
      `${options.sockets} sockets in ${cohort.topology.roomIds.length} rooms of ${options.roomSize}, ${options.rate} msg/s for ${Math.round(options.durationMs / 1000)} s`,
    ],
    verdict: { ok: summary.ok, text: summary.ok ? 'No loss, no duplicates, no misdelivery' : `FAILED: ${failures.join('; ')}` },
    tables: [{ title: 'Summary', headers: ['measure', 'value'], rows }],
    charts: runCharts([phase]),
    summary,
  });
  summary.reportPath = await writeReport(output.reportDir, options.scenario, html, summary);
  output.line(textTable(['measure', 'value'], rows));
  output.line(`HTML report: ${summary.reportPath}`);
  output.line(JSON.stringify(summary));
  return summary;
}

function summaryRows(outcome: PhaseOutcome, fleet: SocketFleet, connectedAtEnd: number, cohort: Cohort, mixed: MixedTraffic | undefined): string[][] {
  const failed = Object.entries(outcome.failed).map(([code, count]) => `${code} ${count}`).join(', ') || '0';
  const rows = [
    ['sockets (connected at end)', `${fleet.sockets.length} (${connectedAtEnd})`],
    ['rooms', int(cohort.topology.roomIds.length)],
    ['sent', int(outcome.sent)],
    ['acknowledged', int(outcome.acknowledged)],
    ['failed sends', failed],
    ['expected deliveries', int(outcome.expectedDeliveries)],
    ['received (of which filled by sequence)', `${int(outcome.received)} (${int(outcome.filledBySync)})`],
    ['lost', int(outcome.lost)],
    ['duplicated', int(outcome.duplicated)],
    ['misdelivered', int(outcome.misdelivered)],
    ['delivered although rejected', int(outcome.deliveredButRejected)],
    ['accepted/s', int(outcome.acceptedPerSecond)],
    ['deliveries/s', int(outcome.deliveriesPerSecond)],
    ['ack p50 / p95 / p99 ms', `${ms(outcome.p50AckMs)} / ${ms(outcome.p95AckMs)} / ${ms(outcome.p99AckMs)}`],
    ['delivery p50 / p95 / p99 / max ms', `${ms(outcome.p50DeliveryMs)} / ${ms(outcome.p95DeliveryMs)} / ${ms(outcome.p99DeliveryMs)} / ${ms(outcome.maxDeliveryMs)}`],
    ['disconnects / reconnects', `${fleet.disconnects} / ${fleet.reconnects}`],
  ];
  if (mixed) rows.push(...mixed.rows());
  return rows;
}

function integrityFailures(outcome: PhaseOutcome, maxP99Ms: number | undefined, drift: number | undefined): string[] {
  const failures: string[] = [];
  if (outcome.lost > 0) failures.push(`${outcome.lost} deliveries lost`);
  if (outcome.duplicated > 0) failures.push(`${outcome.duplicated} duplicated`);
  if (outcome.misdelivered > 0) failures.push(`${outcome.misdelivered} misdelivered`);
  if (outcome.deliveredButRejected > 0) failures.push(`${outcome.deliveredButRejected} delivered although their send failed`);
  if (outcome.acknowledged === 0) failures.push('no message was acknowledged');
  if (maxP99Ms !== undefined && !(outcome.p99DeliveryMs <= maxP99Ms)) failures.push(`delivery p99 ${ms(outcome.p99DeliveryMs)} ms over ${maxP99Ms} ms`);
  if (drift !== undefined && drift > 2) failures.push(`delivery p99 grew ${drift.toFixed(1)}× from the first to the last fifth of the run`);
  return failures;
}

type SecondBuckets = { series: { all(): readonly { delivery: { percentile(p: number): number; count: number } }[] } };

/** Seconds with deliveries a soak needs before its drift is judged: two per fifth of the run. */
const DRIFT_MIN_SECONDS = 10;

const secondsWithDeliveries = (phase: SecondBuckets) => phase.series.all().filter((bucket) => bucket.delivery.count > 0);

/**
 * In a shorter run each fifth is one second of a handful of messages, and one slow second on a
 * busy machine reads as drift: the figure is still reported, but not judged.
 */
function driftJudged(phase: SecondBuckets): boolean {
  return secondsWithDeliveries(phase).length >= DRIFT_MIN_SECONDS;
}

/** Delivery p99 of the last fifth of the seconds over that of the first fifth (1 = flat). */
function p99Drift(phase: SecondBuckets): number {
  const seconds = secondsWithDeliveries(phase);
  const fifth = Math.max(1, Math.floor(seconds.length / 5));
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const first = median(seconds.slice(0, fifth).map((bucket) => bucket.delivery.percentile(99)));
  const last = median(seconds.slice(-fifth).map((bucket) => bucket.delivery.percentile(99)));
  // Below 5 ms both ends are noise: call it flat.
  return Math.max(last, 5) / Math.max(first, 5);
}

export function progressReporter(output: ScenarioOutput): (done: number, total: number, what?: string) => void {
  let last = 0;
  return (done, total, what) => {
    const now = performance.now();
    if (done === total || now - last > 2_000) {
      last = now;
      output.status(`  ${what ?? 'sockets'}: ${done}/${total}`);
    }
  };
}
