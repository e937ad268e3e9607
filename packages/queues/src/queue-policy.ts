import type { JobsOptions } from 'bullmq';
import { JITTER_BACKOFF } from './jitter-backoff.js';
import type { QueueName } from './queue-names.js';

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

/**
 * What happens to a queue's jobs, stated once: producers put it on every job, consumers use the
 * same retention as their defaults. Failed jobs are kept for inspection and
 * `npm run jobs:retry-failed`.
 */
export interface QueuePolicy {
  attempts: number;
  backoff: { type: 'exponential' | typeof JITTER_BACKOFF; delay: number };
  /** Completed jobs kept this long (s) and at most this many; also what makes a repeated job id a no-op. */
  removeOnComplete: { age: number; count: number };
  removeOnFail: { age: number };
  /**
   * Times a job may be caught by a crashed or hung worker and run again before it is failed.
   * Only idempotent jobs get more than one.
   */
  maxStalledCount: number;
}

export const QUEUE_POLICIES: { readonly [Q in QueueName]: Readonly<QueuePolicy> } = {
  // Codes expire within hours: a day of completed jobs is plenty, failed ones a week.
  mail: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: DAY_S, count: 1_000 },
    removeOnFail: { age: 7 * DAY_S },
    maxStalledCount: 1,
  },
  // 12 jittered attempts span 10 to 20 minutes, enough for a PostgreSQL failover.
  messages: {
    attempts: 12,
    backoff: { type: JITTER_BACKOFF, delay: 1_000 },
    removeOnComplete: { age: HOUR_S, count: 1_000 },
    removeOnFail: { age: 14 * DAY_S },
    maxStalledCount: 3,
  },
  // Producers set deterministic job ids (`message-<id>`, `friend-request-<id>`): completed jobs
  // are kept an hour so an add repeated by a re-run batch stays a no-op.
  notifications: {
    attempts: 8,
    backoff: { type: JITTER_BACKOFF, delay: 1_000 },
    removeOnComplete: { age: HOUR_S, count: 20_000 },
    removeOnFail: { age: 14 * DAY_S },
    maxStalledCount: 3,
  },
  // Deleting files is idempotent. A deleted message's job fails until the worker has stored the
  // deletion, so ten exponential attempts from 5 s (about 40 minutes) wait out a worker backlog.
  attachments: {
    attempts: 10,
    backoff: { type: 'exponential', delay: 5_000 },
    removeOnComplete: { age: HOUR_S, count: 1_000 },
    removeOnFail: { age: 14 * DAY_S },
    maxStalledCount: 3,
  },
};

/** The BullMQ options every job of the queue is added with. */
export function jobOptionsFor(queue: QueueName): JobsOptions {
  const { attempts, backoff, removeOnComplete, removeOnFail } = QUEUE_POLICIES[queue];
  return { attempts, backoff: { ...backoff }, removeOnComplete: { ...removeOnComplete }, removeOnFail: { ...removeOnFail } };
}
