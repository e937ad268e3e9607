import { markdownTable, ms, int } from '../report/format.js';
import type { IdleMemory, StepResult } from './fanout-benchmark.js';

/** The absolute target (docs/performance.md) on a 2-core machine with the generator on the same machine. */
export const TARGET = {
  ratePerSecond: 2000,
  deliveryP99Ms: 50,
  persistenceLagP99Ms: 1000,
  idleSocketKiB: 20,
  /** The summary's "highest clean step": delivery p99 under this, nothing lost. */
  cleanStepP99Ms: 100,
};

export const STEP_HEADERS = [
  'step (msg/s)',
  'accepted/s',
  'deliveries/s',
  'ack p50 / p99 ms',
  'delivery p50 / p99 ms',
  'lost',
  'dup',
  'misdelivered',
  'failed sends',
  'persisted',
  'persistence lag p50 / p99 ms',
];

export function stepRow(step: StepResult): string[] {
  const failed = Object.entries(step.failed).map(([code, count]) => `${code} ${count}`).join(', ') || '0';
  return [
    String(step.rate),
    int(step.acceptedPerSecond),
    int(step.deliveriesPerSecond),
    `${ms(step.p50AckMs)} / ${ms(step.p99AckMs)}`,
    `${ms(step.p50DeliveryMs)} / ${ms(step.p99DeliveryMs)}`,
    int(step.lost),
    int(step.duplicated),
    int(step.misdelivered),
    failed,
    `${int(step.persisted)}/${int(step.acknowledged)}${step.persistedAll ? '' : ' (behind)'}`,
    `${ms(step.persistenceLag.p50Ms)} / ${ms(step.persistenceLag.p99Ms)}`,
  ];
}

export const SERVER_HEADERS = [
  'step (msg/s)',
  'client ack p50 / p99',
  'server ack p50 / p99',
  'accept script p50 / p99',
  'server fan-out p50 / p99',
  'client delivery p50 / p99',
  'worker commit lag p50 / p99',
];

/** Where the latency is: what the services measured versus what the clients saw (ms). */
export function serverRow(step: StepResult): string[] {
  const pair = (p50: number, p99: number) => `${ms(p50)} / ${ms(p99)}`;
  return [
    String(step.rate),
    pair(step.p50AckMs, step.p99AckMs),
    pair(step.server.ack.p50Ms, step.server.ack.p99Ms),
    pair(step.server.accept.p50Ms, step.server.accept.p99Ms),
    pair(step.server.fanout.p50Ms, step.server.fanout.p99Ms),
    pair(step.p50DeliveryMs, step.p99DeliveryMs),
    pair(step.server.persist.p50Ms, step.server.persist.p99Ms),
  ];
}

export function cpuTable(steps: StepResult[]): { headers: string[]; rows: string[][] } {
  const shares = sharesTable(steps, (step) => step.cpu);
  return {
    headers: [...shares.headers, 'generator event-loop delay p99 ms'],
    rows: shares.rows.map((row, index) => [...row, ms(steps[index]!.generatorLoopDelayP99Ms)]),
  };
}

export function cpuWaitTable(steps: StepResult[]): { headers: string[]; rows: string[][] } {
  return sharesTable(steps, (step) => step.cpuWait);
}

/** One row per step, one column per process group (a group missing from a step shows as —). */
function sharesTable(steps: StepResult[], sharesOf: (step: StepResult) => Record<string, number>): { headers: string[]; rows: string[][] } {
  const groups = [...new Set(steps.flatMap((step) => Object.keys(sharesOf(step))))];
  return {
    headers: ['step (msg/s)', ...groups.map((group) => `${group} %`)],
    rows: steps.map((step) => [String(step.rate), ...groups.map((group) => (sharesOf(step)[group] === undefined ? '—' : String(sharesOf(step)[group])))]),
  };
}

export const isClean = (step: StepResult) =>
  step.lost === 0 && step.duplicated === 0 && step.misdelivered === 0 && step.p99DeliveryMs < TARGET.cleanStepP99Ms;

export interface TargetCheck {
  what: string;
  ok: boolean;
  measured: string;
}

export interface TargetVerdict {
  met: boolean;
  checks: TargetCheck[];
}

/** Judges the step at the target rate (or the first above it) and the idle memory. */
export function judgeTarget(steps: StepResult[], memory: IdleMemory): TargetVerdict {
  const step = steps.find((candidate) => candidate.rate >= TARGET.ratePerSecond);
  const checks: TargetVerdict['checks'] = [];
  if (!step) {
    checks.push({ what: `a step at ≥ ${TARGET.ratePerSecond} msg/s`, ok: false, measured: 'not run' });
  } else {
    checks.push(
      { what: `accepted ≥ ${TARGET.ratePerSecond} msg/s (99 %)`, ok: step.acceptedPerSecond >= TARGET.ratePerSecond * 0.99, measured: `${int(step.acceptedPerSecond)}/s` },
      { what: 'every accepted message persisted', ok: step.persistedAll, measured: `${int(step.persisted)} of ${int(step.acknowledged)}` },
      { what: `deliveries ≥ ${TARGET.ratePerSecond * 10}/s (rooms of 10)`, ok: step.deliveriesPerSecond >= TARGET.ratePerSecond * 10 * 0.99, measured: `${int(step.deliveriesPerSecond)}/s` },
      { what: `delivery p99 < ${TARGET.deliveryP99Ms} ms`, ok: step.p99DeliveryMs < TARGET.deliveryP99Ms, measured: `${ms(step.p99DeliveryMs)} ms` },
      { what: 'zero loss, duplicates, misdeliveries', ok: step.lost + step.duplicated + step.misdelivered === 0, measured: `${step.lost} / ${step.duplicated} / ${step.misdelivered}` },
      { what: `persistence lag p99 < ${TARGET.persistenceLagP99Ms} ms`, ok: step.persistenceLag.p99Ms < TARGET.persistenceLagP99Ms, measured: `${ms(step.persistenceLag.p99Ms)} ms` },
    );
  }
  checks.push(idleSocketCheck(memory));
  return { met: checks.every((check) => check.ok), checks };
}

/**
 * Every idle socket's V8 objects live in the process's RSS, so RSS must grow by about the heap
 * growth. It may trail it a little: the heap can fill pages that were already resident. An RSS
 * growth below this share of the heap growth means a reading moved by more than the sockets
 * added (pages returned to the OS between readings): no figure, and no verdict of "met" on it.
 */
const RSS_SHORTFALL_TOLERATED = 0.8;

/** KiB per idle socket to judge: the larger of the RSS and heap growths; null when a reading moved. */
export function idleSocketKiB(memory: Pick<IdleMemory, 'perSocketKiB' | 'heapPerSocketKiB'>): number | null {
  if (memory.perSocketKiB < memory.heapPerSocketKiB * RSS_SHORTFALL_TOLERATED) return null;
  return Math.max(memory.perSocketKiB, memory.heapPerSocketKiB);
}

export function idleSocketCheck(memory: Pick<IdleMemory, 'perSocketKiB' | 'heapPerSocketKiB' | 'fromNothingPerSocketKiB'>): TargetCheck {
  const what = `idle socket ≤ ${TARGET.idleSocketKiB} KiB RSS`;
  const figure = idleSocketKiB(memory);
  if (figure === null) {
    return { what, ok: false, measured: `not measured: RSS grew ${memory.perSocketKiB} KiB per socket, well below the V8 heap (${memory.heapPerSocketKiB} KiB); run again` };
  }
  const source =
    figure === memory.perSocketKiB
      ? 'from half to all connected'
      : `the V8 heap's growth; RSS grew ${memory.perSocketKiB} KiB from half to all connected`;
  return { what, ok: figure <= TARGET.idleSocketKiB, measured: `${figure} KiB (${source}; ${memory.fromNothingPerSocketKiB} KiB from none)` };
}

export function markdownSteps(steps: StepResult[]): string {
  return markdownTable(STEP_HEADERS, steps.map(stepRow));
}
