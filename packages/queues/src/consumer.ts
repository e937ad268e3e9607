import { Worker, type Processor } from 'bullmq';
import type { Logger } from '@parley/logger';
import type { MessageShardKeys } from '@parley/keyspace';
import type { Cluster, Redis } from 'ioredis';
import { createJitterBackoffStrategy } from './jitter-backoff.js';
import { observeWorker } from './observe-worker.js';
import { bullQueueName, queueBullPrefix } from './open-queue.js';
import type { QueueMetrics } from './queue-metrics.js';
import type { JobOf, QueueName } from './queue-names.js';
import { QUEUE_POLICIES } from './queue-policy.js';

export interface ConsumerSettings {
  /**
   * A connection with `maxRetriesPerRequest: null` (BullMQ duplicates it for blocking reads): one
   * Redis or a Redis Cluster (the install prefix's hash tag keeps a queue's keys in one slot).
   */
  connection: Redis | Cluster;
  installPrefix: string;
  logger: Logger;
  metrics: QueueMetrics;
  concurrency?: number;
  /** How often active jobs are checked for a lapsed lock (their worker died); BullMQ's default otherwise. */
  stalledIntervalMs?: number;
  lockDurationMs?: number;
  /**
   * Shortest time between two jobs taken from the queue, across every worker of it (BullMQ's
   * rate limiter, one job per interval); none when absent or 0.
   */
  jobIntervalMs?: number;
  /** `messages` only: the shard whose queue to consume (0, the queue named `messages`, when absent). */
  shard?: number;
  /** `messages` only: MESSAGE_SHARD_KEYS (where the shard's queue lives); `install` when absent. */
  shardKeys?: MessageShardKeys;
}

/** How long `close` waits for a worker that is still connecting (Redis away: it closes anyway). */
const CLOSE_READY_WAIT_MS = 2_000;

/**
 * A Worker whose `close` first lets its connection finish connecting. BullMQ 5 rethrows an
 * interrupted connection check ("Connection is closed") from an error listener that `close` has
 * already removed, so closing a worker within milliseconds of starting it (a pod stopped while
 * starting, a test) leaves an unhandled rejection behind; BullMQ 6 guards that emit.
 */
class ConsumerWorker<Data, Result> extends Worker<Data, Result> {
  override async close(force = false): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.waitUntilReady().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_READY_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    return super.close(force);
  }
}

/**
 * A BullMQ worker for one queue with the platform's policy: the queue's retention and stall
 * budget, the `jitter` backoff strategy, and the shared metrics and logs. `handler` gets the
 * job as stored: it validates the data itself (a job may come from an older producer, and a
 * handler may set part of a job aside rather than fail it). Jobs may run again after a crash,
 * so handlers must be idempotent.
 */
export function startConsumer<Q extends QueueName, Result = unknown>(queue: Q, handler: Processor<JobOf<Q>, Result>, settings: ConsumerSettings): Worker<JobOf<Q>, Result> {
  const policy = QUEUE_POLICIES[queue];
  const worker = new ConsumerWorker<JobOf<Q>, Result>(bullQueueName(queue, settings.shard), handler, {
    connection: settings.connection,
    prefix: queueBullPrefix(queue, settings),
    concurrency: settings.concurrency ?? 1,
    ...(settings.stalledIntervalMs === undefined ? {} : { stalledInterval: settings.stalledIntervalMs }),
    ...(settings.lockDurationMs === undefined ? {} : { lockDuration: settings.lockDurationMs }),
    ...(settings.jobIntervalMs ? { limiter: { max: 1, duration: settings.jobIntervalMs } } : {}),
    maxStalledCount: policy.maxStalledCount,
    removeOnComplete: policy.removeOnComplete,
    removeOnFail: policy.removeOnFail,
    settings: { backoffStrategy: createJitterBackoffStrategy() },
  });
  observeWorker(worker, settings.metrics, settings.logger);
  return worker;
}
