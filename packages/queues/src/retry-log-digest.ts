import type { Logger } from '@parley/logger';

/** How often repeated failures of one kind are summarised. */
export const RETRY_LOG_INTERVAL_MS = 60_000;

interface PendingKind {
  queue: string;
  kind: string;
  /** Failures of this kind since the last line about it. */
  since: number;
  lastError: string;
  lastJobId: string | undefined;
  lastTraceId: string | undefined;
}

/**
 * Failed attempts that will be retried come in floods during an outage (every job of every
 * queue, again after each backoff): one full line with a stack per attempt made 90 MB of logs in
 * two minutes of a PostgreSQL outage. Here the first failure of each kind (queue + error code or
 * name) is logged in full; the next ones of that kind are counted and summarised in one line per
 * interval with their count. A kind with no failure for a whole interval starts over (its next
 * failure is logged in full again). `parley_job_retries_total` still counts every attempt.
 */
export class RetryLogDigest {
  private readonly pending = new Map<string, PendingKind>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    intervalMs = RETRY_LOG_INTERVAL_MS,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  /** A failed attempt that will be retried. */
  record(queue: string, error: unknown, fields: { jobId: string | undefined; attemptsMade: number; attempts: number; retryInMs: number | undefined; trace_id?: string; span_id?: string }): void {
    const kind = `${queue}:${failureKind(error)}`;
    const known = this.pending.get(kind);
    if (known) {
      known.since += 1;
      known.lastError = messageOf(error);
      known.lastJobId = fields.jobId;
      known.lastTraceId = fields.trace_id;
      return;
    }
    this.pending.set(kind, { queue, kind: failureKind(error), since: 0, lastError: messageOf(error), lastJobId: fields.jobId, lastTraceId: fields.trace_id });
    this.logger.warn({ err: error, queue, failureKind: failureKind(error), ...fields }, 'job failed, will retry (further failures of this kind are summarised)');
  }

  /** One summary line per kind that failed again since its last line; quiet kinds start over. */
  flush(): void {
    for (const [key, entry] of this.pending) {
      if (entry.since === 0) {
        this.pending.delete(key);
        continue;
      }
      this.logger.warn(
        // The last failed job's trace: the summary stands for many jobs, so not `trace_id`.
        { queue: entry.queue, failureKind: entry.kind, failures: entry.since, lastError: entry.lastError, lastJobId: entry.lastJobId, lastTraceId: entry.lastTraceId },
        'job attempts kept failing and will retry',
      );
      entry.since = 0;
    }
  }

  /** Writes what is pending and stops the timer (the worker is closing). */
  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** What makes two failures "the same": the error's code (SQLSTATE, errno) or else its name and message shape. */
export function failureKind(error: unknown): string {
  const candidate = (error as { driverError?: unknown } | null)?.driverError ?? error;
  const code = (candidate as { code?: unknown } | null)?.code;
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  if (candidate instanceof Error) return `${candidate.name}: ${candidate.message.replace(/\d+/g, '#').slice(0, 80)}`;
  return typeof candidate;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
