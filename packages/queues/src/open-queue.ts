import { Queue, type ConnectionOptions } from 'bullmq';
import { bullPrefix } from '@parley/keyspace';
import type { Logger } from '@parley/logger';
import type { JobOf, QueueName } from './queue-names.js';

export interface QueueConnection {
  /** An ioredis connection (shared) or options (BullMQ opens its own). */
  connection: ConnectionOptions;
  /** The install's Redis key prefix (REDIS_KEY_PREFIX). */
  installPrefix: string;
  /** Receives the queue's connection errors (otherwise BullMQ prints them to stderr), one line per 10 s. */
  logger?: Logger;
}

/**
 * A BullMQ handle on one of the queues, under the install's prefix: for looking into it (counts,
 * failed jobs, tests). Jobs are added through `createProducer`, which applies the queue's policy.
 */
export function openQueue<Q extends QueueName>(queue: Q, settings: QueueConnection): Queue<JobOf<Q>> {
  const handle = new Queue<JobOf<Q>>(queue, { connection: settings.connection, prefix: bullPrefix(settings.installPrefix) });
  const { logger } = settings;
  let lastErrorLog = 0;
  handle.on('error', (error) => {
    const now = Date.now();
    if (!logger || now - lastErrorLog < 10_000) return;
    lastErrorLog = now;
    logger.warn({ err: error, queue }, 'queue connection error');
  });
  return handle as Queue<JobOf<Q>>;
}
