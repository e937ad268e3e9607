import type { BackoffStrategy, MinimalJob } from 'bullmq';

/**
 * Custom BullMQ backoff type: exponential with jitter, registered by every consumer of
 * @parley/queues (`settings.backoffStrategy`) and named by the policies that use it.
 */
export const JITTER_BACKOFF = 'jitter';

export interface JitterBackoffSettings {
  /** Base delay when the job's `backoff.delay` is unset. */
  defaultDelayMs?: number;
  /** No retry waits longer than this. */
  maxDelayMs?: number;
  /** Injected by unit tests; [0, 1). */
  random?: () => number;
}

export const DEFAULT_JITTER_BASE_MS = 1_000;
export const MAX_JITTER_DELAY_MS = 5 * 60_000;

/**
 * The `jitter` backoff type ("equal jitter"): the n-th retry waits between half and all of
 * `min(max, base × 2^(n-1))`. The exponential part backs off from a struggling database; the
 * random half spreads retries of jobs that failed together (a PostgreSQL failover fails every
 * in-flight batch at once) so they do not come back as one thundering herd.
 */
export function jitterDelay(attemptsMade: number, baseMs: number, settings: JitterBackoffSettings = {}): number {
  const maxDelayMs = settings.maxDelayMs ?? MAX_JITTER_DELAY_MS;
  const random = settings.random ?? Math.random;
  const exponent = Math.max(0, attemptsMade - 1);
  const ceiling = Math.min(maxDelayMs, baseMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * BullMQ calls a worker's custom strategy for every backoff type it does not know itself
 * (`fixed` and `exponential` are built in). Unknown custom types get the same jittered
 * exponential delay rather than failing the job for good.
 */
export function createJitterBackoffStrategy(settings: JitterBackoffSettings = {}): BackoffStrategy {
  return (attemptsMade: number, _type?: string, _error?: Error, job?: MinimalJob) => {
    const configured = job?.opts.backoff;
    const base = typeof configured === 'object' && configured.delay !== undefined ? configured.delay : undefined;
    return jitterDelay(attemptsMade, base ?? settings.defaultDelayMs ?? DEFAULT_JITTER_BASE_MS, settings);
  };
}
