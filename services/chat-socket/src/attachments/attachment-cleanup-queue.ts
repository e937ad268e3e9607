import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { QUEUE_NAMES } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { bullPrefix } from '@parley/mail';

/**
 * Jobs of the `attachments` queue: delayed deletions of files. chat-socket both produces and
 * consumes them, since it is the process that holds the attachment store's settings.
 */
export const attachmentCleanupJobSchema = z.discriminatedUnion('kind', [
  /** After the TTL: the upload is deleted unless a stored message carries it. */
  z.strictObject({ kind: z.literal('unsent'), attachmentId: z.uuid() }),
  /** After the grace period: the files of a deleted message. */
  z.strictObject({ kind: z.literal('deleted-message'), messageId: z.string().regex(/^\d{1,19}$/) }),
]);
export type AttachmentCleanupJob = z.infer<typeof attachmentCleanupJobSchema>;

/** Retries of a job whose message deletion is not stored yet (the worker folds it). */
const ATTEMPTS = 10;
const FOURTEEN_DAYS_S = 14 * 24 * 3600;

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
  const queue = new Queue<AttachmentCleanupJob>(QUEUE_NAMES.attachments, { connection: settings.connection, prefix: bullPrefix(settings.redisKeyPrefix) });
  queue.on('error', (error) => settings.logger.warn({ err: error }, 'attachments queue error'));
  const options = {
    attempts: ATTEMPTS,
    backoff: { type: 'exponential', delay: 5_000 },
    removeOnComplete: { age: 3600, count: 1_000 },
    removeOnFail: { age: FOURTEEN_DAYS_S },
  };
  return {
    async scheduleUnsent(attachmentId) {
      // Deterministic ids: scheduling twice is one job.
      await queue.add('unsent', { kind: 'unsent', attachmentId }, { ...options, delay: settings.unsentTtlMs, jobId: `unsent-${attachmentId}` });
    },
    async scheduleDeletedMessage(messageId) {
      await queue.add('deleted-message', { kind: 'deleted-message', messageId }, { ...options, delay: settings.deleteGraceMs, jobId: `deleted-message-${messageId}` });
    },
    close: () => queue.close(),
  };
}

export interface AttachmentPurger {
  purgeIfUnsent(attachmentId: string): Promise<void>;
  /** False: not deleted in storage yet; the job fails and is retried with backoff. */
  purgeDeletedMessage(messageId: string): Promise<boolean>;
}

/** Consumes the `attachments` queue (blocking reads: its own connection). */
export function startAttachmentCleanupWorker(settings: { connection: Redis; redisKeyPrefix: string; purger: AttachmentPurger; logger: Logger }): Worker<AttachmentCleanupJob> {
  const worker = new Worker<AttachmentCleanupJob>(
    QUEUE_NAMES.attachments,
    async (job) => {
      const data = attachmentCleanupJobSchema.parse(job.data);
      if (data.kind === 'unsent') await settings.purger.purgeIfUnsent(data.attachmentId);
      else if (!(await settings.purger.purgeDeletedMessage(data.messageId))) throw new Error('the message deletion is not stored yet');
    },
    { connection: settings.connection, prefix: bullPrefix(settings.redisKeyPrefix), concurrency: 2 },
  );
  worker.on('failed', (job, error) => settings.logger.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'attachment cleanup job failed'));
  worker.on('error', (error) => settings.logger.warn({ err: error }, 'attachment cleanup worker error'));
  return worker;
}
