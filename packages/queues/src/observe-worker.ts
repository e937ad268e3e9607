import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { Logger } from '@parley/logger';
import { jobTraceFields } from './job-trace-fields.js';
import type { QueueMetrics } from './queue-metrics.js';
import { RetryLogDigest } from './retry-log-digest.js';

/**
 * Metrics and logs of a worker: duration, completions, retries (their logs digested), jobs
 * failed for good (logged with the job's trace), stalls and rate-limited connection errors.
 */
export function observeWorker<Data, Result>(worker: Worker<Data, Result>, metrics: QueueMetrics, logger: Logger): void {
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
