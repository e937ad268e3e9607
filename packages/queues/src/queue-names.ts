import type { z } from 'zod';
import { attachmentCleanupJobSchema, mailJobSchema, notificationJobSchema, persistMessagesJobSchema } from '@parley/contracts';

/** Every BullMQ queue between processes, with the zod schema of its job data (@parley/contracts). */
export const QUEUE_PAYLOADS = {
  /** auth → persistence-worker (or auth's own worker): verification and reset mail. */
  mail: mailJobSchema,
  /** chat-socket → persistence-worker: one job per accepted batch of messages. */
  messages: persistMessagesJobSchema,
  /** persistence-worker and user → persistence-worker: notifications to record and push. */
  notifications: notificationJobSchema,
  /** chat-socket → chat-socket: delayed deletion of attachment files (unsent uploads, deleted messages). */
  attachments: attachmentCleanupJobSchema,
} as const;

export type QueueName = keyof typeof QUEUE_PAYLOADS;

/** The job data of a queue. */
export type JobOf<Q extends QueueName> = z.infer<(typeof QUEUE_PAYLOADS)[Q]>;

export const QUEUE_NAMES: { readonly [Q in QueueName]: Q } = { mail: 'mail', messages: 'messages', notifications: 'notifications', attachments: 'attachments' };

export const ALL_QUEUES: readonly QueueName[] = Object.values(QUEUE_NAMES);

export function isQueueName(name: string): name is QueueName {
  return (ALL_QUEUES as readonly string[]).includes(name);
}
