import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { PERSIST_MESSAGES_JOB_OPTIONS, QUEUE_NAMES, type Message, type PersistMessagesJob } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { bullPrefix } from '@parley/mail';

/** Trace context of a batch job: the batch's own and each message's (both empty without tracing). */
export interface BatchTrace {
  batch?: Record<string, string>;
  messages?: Record<string, Record<string, string>>;
}

export interface MessageQueue {
  /**
   * Resolves once the job is stored in Redis (durable as far as Redis is). `acceptedKey` names
   * the set of ids the batch's accept scripts took: the worker stores only those.
   */
  enqueueBatch(messages: Message[], acceptedAt: Record<string, number>, acceptedKey: string, trace?: BatchTrace): Promise<void>;
  close(): Promise<void>;
}

/**
 * The BullMQ `messages` queue the persistence worker drains: one job per accepted batch.
 * `connection` is shared with the accept script, so one `WAIT` covers both writes.
 */
export function createMessageQueue(connection: Redis, redisKeyPrefix: string, logger: Logger): MessageQueue {
  const queue = new Queue<PersistMessagesJob>(QUEUE_NAMES.messages, { connection, prefix: bullPrefix(redisKeyPrefix) });
  queue.on('error', (error) => logger.warn({ err: error }, 'messages queue error'));
  return {
    async enqueueBatch(messages, acceptedAt, acceptedKey, trace = {}) {
      const data: PersistMessagesJob = {
        messages,
        acceptedAt,
        acceptedKey,
        ...(trace.batch ? { trace: trace.batch } : {}),
        ...(trace.messages && Object.keys(trace.messages).length > 0 ? { messageTraces: trace.messages } : {}),
      };
      // One policy for producer and worker: jittered backoff ('jitter' is registered by the worker).
      await queue.add('persist', data, PERSIST_MESSAGES_JOB_OPTIONS);
    },
    close: () => queue.close(),
  };
}
