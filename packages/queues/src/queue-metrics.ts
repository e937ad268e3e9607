import type { Queue } from 'bullmq';
import { withTimeout } from '@parley/lifecycle';
import { Counter, Gauge, Histogram, type Registry } from '@parley/metrics';

/** Queue states exported as `parley_queue_jobs{queue,state}`. */
export const GAUGED_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** How long one scrape waits for a queue's counts before reporting the previous values. */
const COUNT_TIMEOUT_MS = 1_000;

/** The metrics every consumer exports, labelled by queue. */
export interface QueueMetrics {
  jobDuration: Histogram<'queue'>;
  jobRetries: Counter<'queue'>;
  jobsStalled: Counter<'queue'>;
  /** Jobs that succeeded, by queue (throughput). */
  jobsCompleted: Counter<'queue'>;
  /** Jobs that failed for good (no attempts left, or unrecoverable), by queue. */
  jobsFailed: Counter<'queue'>;
  /** Samples these queues' job counts (BullMQ getJobCounts) on every scrape. */
  gaugeQueues(queues: Queue[]): void;
}

export interface QueueMetricsOptions {
  /**
   * False: no `parley_queue_jobs` gauge, for a process that already samples every queue's counts
   * (chat-socket's backlog metrics); `gaugeQueues` is then a no-op.
   */
  jobCounts?: boolean;
}

export function createQueueMetrics(registry: Registry, options: QueueMetricsOptions = {}): QueueMetrics {
  const gauged: Queue[] = [];
  const registers = [registry];
  const countJobs = options.jobCounts ?? true;
  const jobDuration = new Histogram({
    name: 'parley_job_duration_seconds',
    help: 'Processing time of one job attempt, successful or not, by queue.',
    labelNames: ['queue'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const jobRetries = new Counter({
    name: 'parley_job_retries_total',
    help: 'Failed job attempts that BullMQ will retry (after a backoff), by queue.',
    labelNames: ['queue'] as const,
    registers,
  });
  const jobsStalled = new Counter({
    name: 'parley_jobs_stalled_total',
    help: 'Active jobs whose lock lapsed (their worker died or hung) and that were put back in the queue, by queue.',
    labelNames: ['queue'] as const,
    registers,
  });
  const jobsCompleted = new Counter({
    name: 'parley_jobs_completed_total',
    help: 'Jobs that completed successfully, by queue.',
    labelNames: ['queue'] as const,
    registers,
  });
  const jobsFailed = new Counter({
    name: 'parley_jobs_failed_total',
    help: 'Jobs that failed for good (attempts exhausted or unrecoverable) and went to the failed set, by queue.',
    labelNames: ['queue'] as const,
    registers,
  });
  if (countJobs) new Gauge({
    name: 'parley_queue_jobs',
    help: 'Jobs per queue and state, sampled from BullMQ at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      await Promise.all(
        gauged.map(async (queue) => {
          const counts = await withTimeout(queue.getJobCounts(...GAUGED_STATES), COUNT_TIMEOUT_MS).catch(() => undefined);
          // Redis unreachable: keep the last values rather than reporting an empty queue.
          if (!counts) return;
          for (const state of GAUGED_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }),
      );
    },
  });
  return {
    jobDuration,
    jobRetries,
    jobsStalled,
    jobsCompleted,
    jobsFailed,
    gaugeQueues(queues) {
      if (countJobs) gauged.push(...queues);
    },
  };
}
