import { Queue, type ConnectionOptions } from 'bullmq';
import { QUEUE_NAMES, mailJobSchema, type MailJob } from '@parley/contracts';

export interface MailQueue {
  enqueue(job: MailJob): Promise<void>;
  close(): Promise<void>;
}

/** BullMQ prefix for an install's Redis key prefix (`parley:` → `parley:bull`). */
export function bullPrefix(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}bull`;
}

export function createMailQueue(connection: ConnectionOptions, redisKeyPrefix: string): MailQueue {
  const queue = new Queue<MailJob>(QUEUE_NAMES.mail, { connection, prefix: bullPrefix(redisKeyPrefix) });
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
