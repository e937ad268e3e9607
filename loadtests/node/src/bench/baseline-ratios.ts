import type { PhaseOutcome } from '../run/delivery-ledger.js';

/** A step is clean when its delivery p99 stays under this and nothing is lost, duplicated, misdelivered or refused. */
export const BASELINE_CLEAN_P99_MS = 50;

/** What Parley has to reach against the bare baseline on the same machine, in the same run. */
export const BASELINE_TARGET = { cleanStepRatio: 0.9, p99Ratio: 3 };

export type ComparableStep = Pick<PhaseOutcome, 'sent' | 'acknowledged' | 'lost' | 'duplicated' | 'misdelivered' | 'p50DeliveryMs' | 'p99DeliveryMs' | 'p99AckMs'> & {
  rate: number;
};

export function isCleanStep(step: ComparableStep): boolean {
  return (
    step.sent > 0 &&
    step.acknowledged === step.sent &&
    step.lost === 0 &&
    step.duplicated === 0 &&
    step.misdelivered === 0 &&
    Number.isFinite(step.p99DeliveryMs) &&
    step.p99DeliveryMs < BASELINE_CLEAN_P99_MS
  );
}

/**
 * The rate a server stayed clean up to: the highest step that was clean with every lower step
 * clean as well (msg/s), 0 when the lowest was not. A clean step above one that was not is a
 * lucky one; counting it would read noise as capacity.
 */
export function highestStepCleanThroughout<Step extends { rate: number }>(steps: readonly Step[], clean: (step: Step) => boolean): number {
  let highest = 0;
  for (const step of [...steps].sort((a, b) => a.rate - b.rate)) {
    if (!clean(step)) break;
    highest = step.rate;
  }
  return highest;
}

/** Highest clean step (msg/s) with every step below it clean, 0 when the lowest was not clean. */
export function highestCleanStep(steps: readonly ComparableStep[]): number {
  return highestStepCleanThroughout(steps, isCleanStep);
}

/**
 * The step whose delivery p99 is compared: `rate` itself when it was run, else the highest step
 * run below it (a shrunken run), else the lowest step.
 */
export function ratioStepRate(steps: readonly number[], rate: number): number {
  if (steps.includes(rate)) return rate;
  const below = steps.filter((step) => step < rate);
  return below.length > 0 ? Math.max(...below) : Math.min(...steps);
}

export function p99At(steps: readonly ComparableStep[], rate: number): number | null {
  const step = steps.find((candidate) => candidate.rate === rate);
  return step && Number.isFinite(step.p99DeliveryMs) ? step.p99DeliveryMs : null;
}

/** a ÷ b to three decimals; null when either is missing or b is 0. */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return Math.round((a / b) * 1000) / 1000;
}

/** Median of the known values (mean of the middle two for an even count); null when none is known. */
export function median(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null && Number.isFinite(value)).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const middle = Math.floor(known.length / 2);
  return known.length % 2 === 1 ? known[middle]! : (known[middle - 1]! + known[middle]!) / 2;
}

export interface AlternationFigures {
  parleyHighestCleanStep: number;
  bareHighestCleanStep: number;
  cleanStepRatio: number | null;
  parleyP99Ms: number | null;
  bareP99Ms: number | null;
  p99Ratio: number | null;
}

export function alternationFigures(parley: readonly ComparableStep[], bare: readonly ComparableStep[], rate: number): AlternationFigures {
  const parleyHighest = highestCleanStep(parley);
  const bareHighest = highestCleanStep(bare);
  const parleyP99 = p99At(parley, rate);
  const bareP99 = p99At(bare, rate);
  return {
    parleyHighestCleanStep: parleyHighest,
    bareHighestCleanStep: bareHighest,
    cleanStepRatio: ratio(parleyHighest, bareHighest),
    parleyP99Ms: parleyP99,
    bareP99Ms: bareP99,
    p99Ratio: ratio(parleyP99, bareP99),
  };
}
