import { DEAD_LETTER_REASONS } from '@parley/chat-store';
import { Counter, Histogram, type Registry } from '@parley/metrics';

/** The worker's own metrics of the message path (the per-queue ones come from @parley/queues). */
export interface JobMetrics {
  /** Seconds from a message's acceptance by chat-socket to its commit in PostgreSQL. */
  persistenceLag: Histogram;
  /** Messages set aside in chat.message_dead_letters instead of stored, by reason. */
  messagesDeadLettered: Counter<'reason'>;
  /**
   * Partitions of chat.messages created, by what created them: `maintenance` (the timer, ahead of
   * time) or `insert` (a batch PostgreSQL refused for want of one: the timer fell behind).
   */
  messagePartitionsCreated: Counter<'trigger'>;
  /** Jobs whose messages went in one INSERT (a store round), observed per committed round. */
  storeRoundJobs: Histogram;
}

export const PARTITION_TRIGGERS = ['maintenance', 'insert'] as const;

export function createJobMetrics(registry: Registry): JobMetrics {
  const persistenceLag = new Histogram({
    name: 'parley_persistence_lag_seconds',
    help: 'Time from a message being accepted (acceptedAt, or its createdAt) to its batch being committed to PostgreSQL.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const messagesDeadLettered = new Counter({
    name: 'parley_messages_dead_lettered_total',
    help: 'Acknowledged messages set aside in chat.message_dead_letters instead of stored (malformed_message, or rejected_by_database), by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  // Series exist from the start, so the alert's increase() sees the first dead letter.
  for (const reason of DEAD_LETTER_REASONS) messagesDeadLettered.inc({ reason }, 0);
  const messagePartitionsCreated = new Counter({
    name: 'parley_message_partitions_created_total',
    help: 'Weekly partitions of chat.messages created, by trigger: maintenance (ahead of time) or insert (a batch found no partition for its ids; the maintenance timer fell behind).',
    labelNames: ['trigger'] as const,
    registers: [registry],
  });
  for (const trigger of PARTITION_TRIGGERS) messagePartitionsCreated.inc({ trigger }, 0);
  const storeRoundJobs = new Histogram({
    name: 'parley_message_store_round_jobs',
    help: 'Jobs of the messages queue whose messages one INSERT stored (a store round), observed per committed round: 1 on a quiet worker, up to MESSAGES_CONCURRENCY under load.',
    buckets: [1, 2, 3, 4, 6, 8, 12, 16, 32, 64],
    registers: [registry],
  });
  return { persistenceLag, messagesDeadLettered, messagePartitionsCreated, storeRoundJobs };
}
