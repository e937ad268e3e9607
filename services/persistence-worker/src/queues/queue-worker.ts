import { UnrecoverableError, Worker, type Job, type Processor } from 'bullmq';
import type { Redis } from '@parley/redis';
import type { Logger } from '@parley/logger';
import { createJitterBackoffStrategy } from './jitter-backoff.js';
import { jobTraceFields } from './job-trace.js';
import type { JobMetrics } from './job-metrics.js';
import { RetryLogDigest } from './retry-log-digest.js';

/** Failed jobs stay inspectable (and retryable with the CLI) this long, unless the job says otherwise. */
export const KEEP_FAILED_JOBS = { age: 14 * 24 * 3600 };

export interface QueueWorkerSettings<Data, Result> {
  queue: string;
  process: Processor<Data, Result>;
  /** Shared BullMQ connection (maxRetriesPerRequest: null); BullMQ duplicates it for blocking reads. */
  connection: Redis;
  prefix: string;
  concurrency: number;
  stalledIntervalMs: number;
  lockDurationMs: number;
  /** Completed jobs kept for inspection (and for job-id de-duplication). */
  keepCompleted: { age: number; count: number };
  logger: Logger;
  metrics: JobMetrics;
}

/**
 * A BullMQ worker with the platform's policy: the `jitter` backoff strategy, failed jobs kept
 * for 14 days, a configurable lock and stalled-check interval (a job whose worker was
 * SIGKILLed goes back to the queue once its lock lapses), and metrics and logs wired in.
 * Jobs may run again after a crash, so processors must be idempotent.
 */
export function startQueueWorker<Data, Result>(settings: QueueWorkerSettings<Data, Result>): Worker<Data, Result> {
  const worker = new Worker<Data, Result>(settings.queue, settings.process, {
    connection: settings.connection,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    stalledInterval: settings.stalledIntervalMs,
    lockDuration: settings.lockDurationMs,
    // Jobs are idempotent, so a job caught in a few crashes is simply run again before it is
    // declared failed (a job that kills its worker every time still ends up failed).
    maxStalledCount: 3,
    removeOnComplete: settings.keepCompleted,
    removeOnFail: KEEP_FAILED_JOBS,
    settings: { backoffStrategy: createJitterBackoffStrategy() },
  });
  observeWorker(worker, settings.metrics, settings.logger);
  return worker;
}

/** Metrics and logs for any worker, including the mail worker from @parley/mail. */
export function observeWorker<Data, Result>(worker: Worker<Data, Result>, metrics: JobMetrics, logger: Logger): void {
  const queue = worker.name;
  const observeDuration = (job: Job<Data, Result>) => {
    if (job.processedOn) metrics.jobDuration.observe({ queue }, Math.max(0, Date.now() - job.processedOn) / 1000);
  };

  // Series exist from the start, so rates and alerts work before the first job.
  for (const counter of [metrics.jobsCompleted, metrics.jobsFailed, metrics.jobRetries, metrics.jobsStalled]) counter.inc({ queue }, 0);
  const retries = new RetryLogDigest(logger);
  worker.on('closed', () => retries.stop());

  worker.on('completed', (job) => {
    observeDuration(job);
    metrics.jobsCompleted.inc({ queue });
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    observeDuration(job);
    const willRetry = !(error instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
    const fields = { jobId: job.id, attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1, ...jobTraceFields(job.data) };
    if (willRetry) {
      metrics.jobRetries.inc({ queue });
      retries.record(queue, error, { ...fields, retryInMs: job.delay });
      return;
    }
    metrics.jobsFailed.inc({ queue });
    logger.error({ err: error, queue, ...fields }, 'job failed for good; kept in the failed set');
  });
  worker.on('stalled', (jobId) => {
    metrics.jobsStalled.inc({ queue });
    logger.warn({ queue, jobId }, 'stalled job put back in the queue (its worker died or hung)');
  });

  let lastErrorLog = 0;
  worker.on('error', (error) => {
    // A Redis outage raises an error per reconnect attempt; one line per 10 s is enough.
    const now = Date.now();
    if (now - lastErrorLog < 10_000) return;
    lastErrorLog = now;
    logger.warn({ err: error, queue }, 'queue worker error');
  });
}
