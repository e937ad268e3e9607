import type { MinimalJob } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createJitterBackoffStrategy, jitterDelay, MAX_JITTER_DELAY_MS } from './jitter-backoff.js';

const jobWithBackoff = (backoff: unknown) => ({ opts: { backoff } }) as unknown as MinimalJob;

describe('jitter backoff', () => {
  it('waits between half and all of base × 2^(attempt-1)', () => {
    expect(jitterDelay(1, 1_000, { random: () => 0 })).toBe(500);
    expect(jitterDelay(1, 1_000, { random: () => 0.999999 })).toBe(1_000);
    expect(jitterDelay(3, 1_000, { random: () => 0 })).toBe(2_000);
    expect(jitterDelay(3, 1_000, { random: () => 0.5 })).toBe(3_000);
  });

  it('never waits longer than the cap, however many attempts were made', () => {
    expect(jitterDelay(40, 1_000, { random: () => 0.999999 })).toBe(MAX_JITTER_DELAY_MS);
    expect(jitterDelay(5, 1_000, { random: () => 0.999999, maxDelayMs: 3_000 })).toBe(3_000);
  });

  it('spreads the retries of jobs that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => jitterDelay(4, 1_000)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(8_000);
    }
  });

  it('takes the base delay from the job’s backoff option, with a default when it has none', () => {
    const strategy = createJitterBackoffStrategy({ random: () => 0, defaultDelayMs: 300 });
    expect(strategy(2, 'jitter', undefined, jobWithBackoff({ type: 'jitter', delay: 50 }))).toBe(50);
    expect(strategy(2, 'jitter', undefined, jobWithBackoff({ type: 'jitter' }))).toBe(300);
    expect(strategy(1, 'some-other-custom-type', undefined, undefined)).toBe(150);
  });
});
