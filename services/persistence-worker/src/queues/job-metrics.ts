import { DEAD_LETTER_REASONS } from '@parley/chat-store';
import { Counter, Histogram, type Registry } from '@parley/metrics';

/** The worker's own metrics of the message path (the per-queue ones come from @parley/queues). */
export interface JobMetrics {
  /** Seconds from a message's acceptance by chat-socket to its commit in PostgreSQL. */
  persistenceLag: Histogram;
  /** Messages set aside in chat.message_dead_letters instead of stored, by reason. */
  messagesDeadLettered: Counter<'reason'>;
}

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
  return { persistenceLag, messagesDeadLettered };
}
