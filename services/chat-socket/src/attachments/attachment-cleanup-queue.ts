import type { Worker } from 'bullmq';
import type { Redis } from '@parley/redis';
import { attachmentCleanupJobSchema, type AttachmentCleanupJob } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { createProducer, startConsumer, type QueueMetrics } from '@parley/queues';

/**
 * The `attachments` queue (@parley/queues): delayed deletions of files. chat-socket both produces
 * and consumes its jobs, since it is the process that holds the attachment store's settings.
 * Attempts, backoff and retention are the queue's policy (QUEUE_POLICIES).
 */

export interface AttachmentCleanup {
  scheduleUnsent(attachmentId: string): Promise<void>;
  scheduleDeletedMessage(messageId: string): Promise<void>;
}

export interface AttachmentCleanupQueue extends AttachmentCleanup {
  close(): Promise<void>;
}

export function createAttachmentCleanupQueue(settings: {
  connection: Redis;
  redisKeyPrefix: string;
  unsentTtlMs: number;
  deleteGraceMs: number;
  logger: Logger;
}): AttachmentCleanupQueue {
  const producer = createProducer('attachments', { connection: settings.connection, installPrefix: settings.redisKeyPrefix, logger: settings.logger });
  return {
    async scheduleUnsent(attachmentId) {
      // Deterministic ids: scheduling twice is one job.
      await producer.add({ name: 'unsent', data: { kind: 'unsent', attachmentId }, delayMs: settings.unsentTtlMs, jobId: `unsent-${attachmentId}` });
    },
    async scheduleDeletedMessage(messageId) {
      await producer.add({ name: 'deleted-message', data: { kind: 'deleted-message', messageId }, delayMs: settings.deleteGraceMs, jobId: `deleted-message-${messageId}` });
    },
    close: () => producer.close(),
  };
}

export interface AttachmentPurger {
  purgeIfUnsent(attachmentId: string): Promise<void>;
  /** False: not deleted in storage yet; the job fails and is retried with backoff. */
  purgeDeletedMessage(messageId: string): Promise<boolean>;
}

/** Consumes the `attachments` queue (blocking reads: BullMQ duplicates the connection). */
export function startAttachmentCleanupWorker(settings: {
  connection: Redis;
  redisKeyPrefix: string;
  purger: AttachmentPurger;
  logger: Logger;
  metrics: QueueMetrics;
}): Worker<AttachmentCleanupJob> {
  return startConsumer(
    'attachments',
    async (job) => {
      const data = attachmentCleanupJobSchema.parse(job.data);
      if (data.kind === 'unsent') await settings.purger.purgeIfUnsent(data.attachmentId);
      else if (!(await settings.purger.purgeDeletedMessage(data.messageId))) throw new Error('the message deletion is not stored yet');
    },
    { connection: settings.connection, installPrefix: settings.redisKeyPrefix, logger: settings.logger, metrics: settings.metrics, concurrency: 2 },
  );
}
