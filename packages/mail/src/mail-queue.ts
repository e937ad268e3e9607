import { Queue, type ConnectionOptions } from 'bullmq';
import { QUEUE_NAMES, mailJobSchema, type MailJob } from '@parley/contracts';
import type { Logger } from '@parley/logger';

export interface MailQueue {
  enqueue(job: MailJob): Promise<void>;
  close(): Promise<void>;
}

/** BullMQ prefix for an install's Redis key prefix (`parley:` → `parley:bull`). */
export function bullPrefix(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}bull`;
}

/** `logger` receives queue connection errors (otherwise BullMQ prints them to stderr). */
export function createMailQueue(connection: ConnectionOptions, redisKeyPrefix: string, logger?: Logger): MailQueue {
  const queue = new Queue<MailJob>(QUEUE_NAMES.mail, { connection, prefix: bullPrefix(redisKeyPrefix) });
  if (logger) queue.on('error', (error) => logger.warn({ err: error }, 'mail queue error'));
  return {
    async enqueue(job) {
      await queue.add(job.kind, mailJobSchema.parse(job), {
        attempts: 8,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: { age: 24 * 3600, count: 1_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    },
    close: () => queue.close(),
  };
}
