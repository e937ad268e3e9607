import { Job, type Queue } from 'bullmq';

export interface FailedJobSummary {
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  /** When it failed for good, ISO 8601. */
  failedAt: string | null;
  /** When it was first enqueued, ISO 8601. */
  enqueuedAt: string;
}

/** Failed jobs, oldest first (BullMQ keeps them per `removeOnFail`: 14 days). */
export async function listFailedJobs(queue: Queue, limit?: number): Promise<FailedJobSummary[]> {
  const ids = await failedJobIds(queue, limit);
  const jobs = await Promise.all(ids.map((id) => Job.fromId(queue, id)));
  return jobs.filter((job): job is Job => job !== undefined).map(summarise);
}

/**
 * Moves failed jobs back to the waiting list with their attempt counters reset, so each gets
 * its full retry budget again (fix the cause first). Ids are read up front: a job that fails
 * again while this runs is not retried twice. Returns the ids re-queued.
 */
export async function retryFailedJobs(queue: Queue, limit?: number): Promise<string[]> {
  const retried: string[] = [];
  for (const id of await failedJobIds(queue, limit)) {
    const job = await Job.fromId(queue, id);
    if (!job) continue;
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      retried.push(id);
    } catch {
      // Retried or removed by someone else meanwhile.
    }
  }
  return retried;
}

async function failedJobIds(queue: Queue, limit?: number): Promise<string[]> {
  const end = limit === undefined ? -1 : Math.max(0, limit - 1);
  if (limit === 0) return [];
  return queue.getRanges(['failed'], 0, end, true);
}

function summarise(job: Job): FailedJobSummary {
  return {
    id: job.id ?? '',
    name: job.name,
    failedReason: job.failedReason,
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    enqueuedAt: new Date(job.timestamp).toISOString(),
  };
}
