import { messageShardKeyPrefix, unpersistedBatchesKey, unpersistedMessagesKey, type MessageShardKeys } from '@parley/keyspace';
import type { Logger } from '@parley/logger';
import { withTimeout } from '@parley/lifecycle';
import { Counter, Gauge, type Registry } from '@parley/metrics';
import { ALL_QUEUES, openQueue } from '@parley/queues';
import type { Redis } from '@parley/redis';

/** Queue states exported as `parley_queue_jobs{queue,state}` (the worker exports the same series). */
export const BACKLOG_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** How long one scrape waits for Redis before reporting what it last saw. */
const SAMPLE_TIMEOUT_MS = 1_000;

export interface BacklogSample {
  /** Jobs per queue and state. */
  jobs: Record<string, Record<(typeof BACKLOG_STATES)[number], number>>;
  /** Enqueue time (epoch ms) of each queue's oldest waiting job; undefined when none waits. */
  oldestWaitingAt: Record<string, number | undefined>;
  /** Acknowledged messages not yet in PostgreSQL, and the batches they came in. */
  unpersistedMessages: number;
  unpersistedBatches: number;
  /** Acceptance time (epoch ms) of the oldest of them; undefined when there is none. */
  oldestUnpersistedAt: number | undefined;
}

export interface BacklogMetrics {
  /** Reads the backlog from Redis once (what every scrape does). */
  sample(): Promise<BacklogSample>;
  close(): Promise<void>;
}

/**
 * The backlog as seen from outside the persistence worker: every chat-socket pod samples, at
 * scrape time, the BullMQ queues' job counts and oldest waiting job, and the ledger of
 * acknowledged-but-unpersisted messages that the accept script writes and the worker clears
 * (@parley/keyspace unpersistedBatchesKey). So a stopped worker, a PostgreSQL outage or jobs
 * that keep failing show as a growing backlog and a growing persistence lag
 * (docs/decisions/0015-backlog-truth-outside-the-worker.md).
 *
 * When Redis does not answer, the last sample is kept and the ages keep growing from the
 * timestamps it held: an outage of Redis does not read as a healthy backlog.
 *
 * With MESSAGE_SHARD_KEYS=shard every shard keeps its own ledger under its own hash tag
 * (docs/decisions/0043-hash-tag-per-message-shard.md): all of them are read and summed, the
 * oldest entry of any of them is the install's oldest.
 */
export function createBacklogMetrics(
  registry: Registry,
  redis: Redis,
  redisKeyPrefix: string,
  logger: Logger,
  now: () => number = Date.now,
  messageQueueShards = 1,
  shardKeys: MessageShardKeys = 'install',
): BacklogMetrics {
  const connection = { connection: redis, installPrefix: redisKeyPrefix, logger };
  // Each shard of `messages` is a queue of its own (`queue="messages-2"`); dashboards sum them.
  const queues = [
    ...ALL_QUEUES.filter((name) => name !== 'messages').map((name) => openQueue(name, connection)),
    ...Array.from({ length: messageQueueShards }, (_, shard) => openQueue('messages', { ...connection, shard, shardKeys })),
  ];
  const ledgerPrefixes = [...new Set(Array.from({ length: messageQueueShards }, (_, shard) => messageShardKeyPrefix(redisKeyPrefix, shard, shardKeys)))];
  const registers = [registry];

  /** One ledger: its oldest entry, its batches and its messages, read in one transaction (one slot). */
  const readLedger = async (prefix: string) => {
    const ledger = await redis
      .multi()
      .zrange(unpersistedBatchesKey(prefix), 0, 0, 'WITHSCORES')
      .zcard(unpersistedBatchesKey(prefix))
      .get(unpersistedMessagesKey(prefix))
      .exec();
    if (!ledger) throw new Error('the backlog transaction was discarded');
    for (const [error] of ledger) if (error) throw error;
    const range = ledger[0]![1] as string[];
    return {
      oldestAt: range.length === 2 ? Number(range[1]) : undefined,
      batches: Number(ledger[1]![1]),
      messages: Math.max(0, Number(ledger[2]![1] ?? 0)),
    };
  };

  const sample = async (): Promise<BacklogSample> => {
    const [counts, oldest, ledgers] = await Promise.all([
      Promise.all(queues.map((queue) => queue.getJobCounts(...BACKLOG_STATES))),
      Promise.all(queues.map((queue) => queue.getJobs(['waiting'], 0, 0, true))),
      Promise.all(ledgerPrefixes.map(readLedger)),
    ]);
    const jobs: BacklogSample['jobs'] = {};
    const oldestWaitingAt: BacklogSample['oldestWaitingAt'] = {};
    queues.forEach((queue, index) => {
      const count = counts[index]!;
      jobs[queue.name] = { waiting: count.waiting ?? 0, active: count.active ?? 0, delayed: count.delayed ?? 0, failed: count.failed ?? 0 };
      oldestWaitingAt[queue.name] = oldest[index]![0]?.timestamp;
    });
    const oldestTimes = ledgers.flatMap((ledger) => (ledger.oldestAt === undefined ? [] : [ledger.oldestAt]));
    return {
      jobs,
      oldestWaitingAt,
      unpersistedBatches: ledgers.reduce((sum, ledger) => sum + ledger.batches, 0),
      unpersistedMessages: ledgers.reduce((sum, ledger) => sum + ledger.messages, 0),
      oldestUnpersistedAt: oldestTimes.length > 0 ? Math.min(...oldestTimes) : undefined,
    };
  };

  let last: BacklogSample | undefined;
  let pending: Promise<BacklogSample | undefined> | undefined;
  const failures = new Counter({
    name: 'parley_backlog_sample_failures_total',
    help: 'Scrapes at which this pod could not read the backlog from Redis in time (the backlog gauges then repeat the last sample, ages still growing).',
    registers,
  });
  failures.inc(0);
  /** One Redis read per scrape, shared by the gauges below (each collects on its own). */
  const current = (): Promise<BacklogSample | undefined> => {
    pending ??= withTimeout(sample(), SAMPLE_TIMEOUT_MS)
      .then((fresh) => (last = fresh))
      .catch(() => {
        failures.inc();
        return last;
      })
      .finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  const ageOf = (since: number | undefined) => (since === undefined ? 0 : Math.max(0, now() - since) / 1000);

  new Gauge({
    name: 'parley_queue_jobs',
    help: 'Jobs per queue and state, sampled from BullMQ at scrape time (by the worker and by every chat-socket pod).',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      const seen = await current();
      for (const queue of queues) for (const state of BACKLOG_STATES) this.set({ queue: queue.name, state }, seen?.jobs[queue.name]?.[state] ?? 0);
    },
  });
  new Gauge({
    name: 'parley_queue_oldest_waiting_age_seconds',
    help: 'Age of the oldest job waiting in each queue (0 when none waits), sampled at scrape time by every chat-socket pod.',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      const seen = await current();
      for (const queue of queues) this.set({ queue: queue.name }, ageOf(seen?.oldestWaitingAt[queue.name]));
    },
  });
  new Gauge({
    name: 'parley_messages_unpersisted',
    help: 'Acknowledged messages not yet stored in PostgreSQL (messages, not jobs), sampled at scrape time by every chat-socket pod.',
    registers,
    async collect() {
      this.set((await current())?.unpersistedMessages ?? 0);
    },
  });
  new Gauge({
    name: 'parley_messages_unpersisted_batches',
    help: 'Accepted batches whose persistence job has not finished yet, sampled at scrape time by every chat-socket pod.',
    registers,
    async collect() {
      this.set((await current())?.unpersistedBatches ?? 0);
    },
  });
  new Gauge({
    name: 'parley_persistence_lag_oldest_seconds',
    help: 'Now minus the acceptance time of the oldest acknowledged message not yet stored in PostgreSQL (0 when every one is stored). Grows during any outage of the path to PostgreSQL.',
    registers,
    async collect() {
      this.set(ageOf((await current())?.oldestUnpersistedAt));
    },
  });

  return {
    sample,
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
    },
  };
}
