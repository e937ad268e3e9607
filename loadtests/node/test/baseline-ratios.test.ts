import { describe, expect, it } from 'vitest';
import { alternationFigures, highestCleanStep, median, ratioStepRate, type ComparableStep } from '../src/bench/baseline-ratios.js';

const step = (rate: number, p99DeliveryMs: number, extra: Partial<ComparableStep> = {}): ComparableStep => ({
  rate,
  sent: 100,
  acknowledged: 100,
  lost: 0,
  duplicated: 0,
  misdelivered: 0,
  p50DeliveryMs: 1,
  p99DeliveryMs,
  p99AckMs: 1,
  ...extra,
});

describe('the Parley ÷ bare figures', () => {
  it('takes the highest step under 50 ms p99 with nothing lost, refused, duplicated or misdelivered', () => {
    expect(highestCleanStep([step(500, 10), step(1000, 49.9), step(1500, 50)])).toBe(1000);
    expect(highestCleanStep([step(500, 10), step(1000, 20, { lost: 1 }), step(1500, 20, { acknowledged: 99 })])).toBe(500);
    expect(highestCleanStep([step(500, 10, { duplicated: 1 }), step(1000, Number.NaN)])).toBe(0);
  });

  it('does not count a clean step above one that was not: the server stayed clean only up to the first failure', () => {
    // A 2,000 msg/s step at 70 ms p99 followed by a lucky 3,000 at 45 ms (a real run of 2026-12-07).
    expect(highestCleanStep([step(1000, 20), step(2000, 70), step(3000, 45)])).toBe(1000);
    expect(highestCleanStep([step(1000, 60), step(2000, 20)])).toBe(0);
    expect(highestCleanStep([step(3000, 45), step(1000, 20), step(2000, 30)])).toBe(3000);
    const figures = alternationFigures([step(1000, 20), step(2000, 70), step(3000, 45)], [step(1000, 2), step(2000, 5), step(3000, 15)], 2000);
    expect(figures.cleanStepRatio).toBe(0.333);
  });

  it('compares p99 at the ratio step, or at the highest step below it in a shrunken run', () => {
    expect(ratioStepRate([1000, 2000, 3000], 2000)).toBe(2000);
    expect(ratioStepRate([20, 40], 2000)).toBe(40);
    expect(ratioStepRate([2500, 3000], 2000)).toBe(2500);
    const figures = alternationFigures([step(1000, 30), step(2000, 60)], [step(1000, 10), step(2000, 20)], 2000);
    expect(figures).toEqual({ parleyHighestCleanStep: 1000, bareHighestCleanStep: 2000, cleanStepRatio: 0.5, parleyP99Ms: 60, bareP99Ms: 20, p99Ratio: 3 });
  });

  it('has no ratio when the bare server had no clean step, and takes the median of the known ones', () => {
    expect(alternationFigures([step(1000, 30)], [step(1000, 80)], 1000).cleanStepRatio).toBeNull();
    expect(median([3, null, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([null])).toBeNull();
  });
});
