import { Queue, type ConnectionOptions } from 'bullmq';
import { bullPrefix, messageShardKeyPrefix, type MessageShardKeys } from '@parley/keyspace';
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
  /**
   * `messages` only: MESSAGE_SHARD_KEYS. With `shard`, a shard's queue lives under that shard's
   * hash tag (messageShardKeyPrefix), where its accept script writes the jobs. `install` when absent.
   */
  shardKeys?: MessageShardKeys;
}

/** BullMQ's prefix of a queue: under the install prefix, or a `messages` shard's own (shardKeys). */
export function queueBullPrefix(queue: QueueName, settings: Pick<QueueConnection, 'installPrefix' | 'shard' | 'shardKeys'>): string {
  if (queue !== 'messages') return bullPrefix(settings.installPrefix);
  return bullPrefix(messageShardKeyPrefix(settings.installPrefix, settings.shard ?? 0, settings.shardKeys ?? 'install'));
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
  const handle = new Queue<JobOf<Q>>(name, { connection: settings.connection, prefix: queueBullPrefix(queue, settings) });
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
