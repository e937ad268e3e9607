import type { Processor, Queue, Worker } from 'bullmq';
import type { PersistMessagesJob } from '@parley/contracts';
import { messageQueuesKey, type MessageShardKeys } from '@parley/keyspace';
import type { Logger } from '@parley/logger';
import {
  isMessageQueueName,
  messageQueueNames,
  openQueue,
  shardOfMessageQueue,
  startConsumer,
  type ConsumerSettings,
  type QueueMetrics,
} from '@parley/queues';
import type { Redis } from '@parley/redis';

/** Job states that mean a queue still holds work (failed jobs wait for `npm run jobs:retry-failed`). */
const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'] as const;

export interface MessageShardConsumersSettings {
  /** MESSAGE_QUEUE_SHARDS: the shard count producers use now. */
  shardCount: number;
  /** WORKER_QUEUE_SHARDS, parsed: the shards this process consumes. */
  shards: number[];
  /** MESSAGES_CONCURRENCY: jobs in parallel for the whole process, shared out over its shards. */
  concurrency: number;
  discoveryIntervalMs: number;
  /** Bounded retries: reads the set of queues producers have used. */
  redis: Redis;
  /**
   * `shardKeys` (MESSAGE_SHARD_KEYS) is required: with `shard`, a shard's queue is under its own
   * prefix, and a consumer or probe under the install prefix would look at an empty queue.
   */
  consumer: Omit<ConsumerSettings, 'concurrency' | 'shard' | 'shardKeys'> & { shardKeys: MessageShardKeys };
  metrics: QueueMetrics;
  logger: Logger;
  /** The running workers; consumers started here are added, so shutdown closes them too. */
  workers: Worker[];
}

export interface MessageShardConsumers {
  /** BullMQ names of the queues consumed so far (assigned shards, then drained leftovers). */
  consumed(): string[];
  /** One look for leftover queues with jobs (also run every `discoveryIntervalMs`). */
  discover(): Promise<void>;
  /** Stops looking for leftovers; the consumers stop with the other workers. */
  stop(): Promise<void>;
}

/**
 * Consumes this process's shards of the `messages` queue, and drains queues of another shard
 * count (docs/decisions/0041-sharded-message-queues.md): chat-socket records every queue it
 * writes to in `messageQueuesKey`; a queue there that is not one of the current shards and
 * still holds jobs gets a consumer in every worker process, kept until the process exits (pods
 * on the previous count may still add to it during a rollout). Order needs nothing more: a
 * message's room sequence number is fixed when it is accepted, whichever queue stores it.
 * With MESSAGE_SHARD_KEYS=shard every queue, current or left over, is looked for under the prefix
 * of its shard (`messages-5` under `{parley:m5}:`), where its producers wrote it; the registry
 * stays under the install prefix.
 */
export function startMessageShardConsumers(processor: Processor<PersistMessagesJob>, settings: MessageShardConsumersSettings): MessageShardConsumers {
  const { consumer, logger } = settings;
  const perShard = Math.max(1, Math.ceil(settings.concurrency / Math.max(1, settings.shards.length)));
  const current = new Set(messageQueueNames(settings.shardCount));
  const consumed = new Set<string>();
  const probes = new Map<string, Queue>();
  let stopped = false;

  const consume = (shard: number, concurrency: number) => {
    const worker = startConsumer('messages', processor, { ...consumer, concurrency, shard });
    consumed.add(worker.name);
    settings.workers.push(worker as Worker);
  };
  for (const shard of settings.shards) consume(shard, perShard);

  const discover = async () => {
    const names = await settings.redis.smembers(messageQueuesKey(consumer.installPrefix));
    for (const name of names.sort()) {
      if (stopped || consumed.has(name) || current.has(name) || !isMessageQueueName(name)) continue;
      const shard = shardOfMessageQueue(name);
      let probe = probes.get(name);
      if (!probe) {
        probe = openQueue('messages', { connection: consumer.connection, installPrefix: consumer.installPrefix, logger, shard, shardKeys: consumer.shardKeys });
        probes.set(name, probe);
      }
      const counts = await probe.getJobCounts(...PENDING_STATES);
      const pending = PENDING_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
      if (pending === 0 || stopped) continue;
      logger.info({ queue: name, pending, shards: settings.shardCount }, 'draining a message queue of another shard count');
      settings.metrics.gaugeQueues([probe]);
      consume(shard, 1);
    }
  };

  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= discover()
      .catch((error: unknown) => logger.warn({ err: error }, 'cannot look for message queues of another shard count'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  void tick();
  const timer = setInterval(() => void tick(), settings.discoveryIntervalMs);
  timer.unref();

  return {
    consumed: () => [...consumed],
    discover: tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await Promise.all([...probes.values()].map((probe) => probe.close().catch(() => undefined)));
    },
  };
}
