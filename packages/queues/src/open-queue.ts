import { Queue, type ConnectionOptions } from 'bullmq';
import { bullPrefix } from '@parley/keyspace';
import type { Logger } from '@parley/logger';
import { messageQueueName } from './message-shards.js';
import type { JobOf, QueueName } from './queue-names.js';

export interface QueueConnection {
  /** An ioredis connection (shared) or options (BullMQ opens its own). */
  connection: ConnectionOptions;
  /** The install's Redis key prefix (REDIS_KEY_PREFIX). */
  installPrefix: string;
  /** Receives the queue's connection errors (otherwise BullMQ prints them to stderr), one line per 10 s. */
  logger?: Logger;
  /** `messages` only: the shard whose queue this is (0, the queue named `messages`, when absent). */
  shard?: number;
}

/** The BullMQ name of a queue (of one shard of it, for `messages`). */
export function bullQueueName(queue: QueueName, shard: number | undefined): string {
  if (shard === undefined || shard === 0) return queue;
  if (queue !== 'messages') throw new Error(`only the messages queue is sharded, not ${queue}`);
  return messageQueueName(shard);
}

/**
 * A BullMQ handle on one of the queues, under the install's prefix: for looking into it (counts,
 * failed jobs, tests). Jobs are added through `createProducer`, which applies the queue's policy.
 */
export function openQueue<Q extends QueueName>(queue: Q, settings: QueueConnection): Queue<JobOf<Q>> {
  const name = bullQueueName(queue, settings.shard);
  const handle = new Queue<JobOf<Q>>(name, { connection: settings.connection, prefix: bullPrefix(settings.installPrefix) });
  const { logger } = settings;
  let lastErrorLog = 0;
  handle.on('error', (error) => {
    const now = Date.now();
    if (!logger || now - lastErrorLog < 10_000) return;
    lastErrorLog = now;
    logger.warn({ err: error, queue: name }, 'queue connection error');
  });
  return handle as Queue<JobOf<Q>>;
}
