import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { storeMessageBatch } from '@parley/chat-store';
import { persistMessagesJobSchema, type Message, type NotificationJob, type PersistMessagesJob } from '@parley/contracts';
import type { Redis } from '@parley/redis';
import { linksTo, spanContextFromCarrier } from '@parley/tracing';
import type { DatabaseConnection } from '@parley/db';
import { enqueueMessageNotifications } from '../notifications/notification-producer.js';
import { inJobSpan } from '../queues/job-trace.js';
import type { JobMetrics } from '../queues/job-metrics.js';
import { MessageSpans } from './message-spans.js';
import { findRoomAudience } from './room-audience.js';

export interface PersistMessagesDeps {
  database: DatabaseConnection;
  redis: Redis;
  redisKeyPrefix: string;
  notificationQueue: Queue<NotificationJob>;
  metrics: JobMetrics;
  /** PERSIST_TEST_DELAY_MS: pause before and after the write (tests kill the worker in between). */
  testDelayMs: number;
}

export interface PersistMessagesResult {
  inserted: number;
  /** Already stored (same id, or same sender and clientMsgId): a re-run or a duplicated job. */
  duplicates: number;
  /** In the job but not taken by its accept script (duplicates, rate limited): never stored. */
  refused: number;
  notificationJobs: number;
}

/**
 * One `messages` job = one batch. Inserted in one statement that skips what is already stored,
 * so running a job twice (a retry, or a re-run after the worker died before acknowledging it)
 * stores each message once. Notifications are enqueued for the whole batch every time, with
 * de-duplicating job ids, so a crash between the commit and the enqueue loses none.
 *
 * Tracing: the job span continues the batch's trace and links to each message; each message's
 * own trace gets its processing, insert and notification spans (MessageSpans).
 */
export function createPersistMessagesProcessor(deps: PersistMessagesDeps) {
  return async (job: Job): Promise<PersistMessagesResult> => {
    const parsed = persistMessagesJobSchema.safeParse(job.data);
    // Malformed data will never succeed: fail at once (kept in the failed set) instead of retrying.
    if (!parsed.success) throw new UnrecoverableError(`invalid messages job: ${parsed.error.message}`);
    const batch = parsed.data;
    const messageLinks = linksTo(Object.values(batch.messageTraces ?? {}).map((carrier) => spanContextFromCarrier(carrier)));
    return inJobSpan(
      'messages persist',
      batch.trace,
      async () => {
        const messages = await acceptedMessagesOf(batch, deps.redis);
        const spans = new MessageSpans(messages, batch.messageTraces);
        try {
          const dataSource = await deps.database.ready();
          if (deps.testDelayMs > 0) await sleep(deps.testDelayMs);

          const { insertedIds: inserted, conflictingIds, members } = await spans.recordInsert(() => storeMessageBatch(dataSource, messages));
          if (conflictingIds.length > 0) {
            // Storing nothing in their place: their room sequence numbers belong to other messages.
            throw new Error(`messages ${conflictingIds.join(', ')} clash with stored messages on (room, seq); the job keeps its accepted hash and is retried`);
          }
          observeLag(deps.metrics, batch, inserted);

          const audience = await findRoomAudience(deps.redis, deps.redisKeyPrefix, members);
          const notificationJobs = await enqueueMessageNotifications(deps.notificationQueue, messages, audience, spans);

          if (deps.testDelayMs > 0) await sleep(deps.testDelayMs);
          // Last: a run that dies before this leaves the set for the next run to read again.
          if (batch.acceptedKey) await deps.redis.del(batch.acceptedKey);
          spans.end();
          return { inserted: inserted.length, duplicates: messages.length - inserted.length, refused: batch.messages.length - messages.length, notificationJobs };
        } catch (error) {
          spans.end(error);
          throw error;
        }
      },
      messageLinks,
    );
  };
}

/**
 * The messages of the batch its accept script took, with the room sequence numbers it gave them
 * (the hash the job names, id → seq): the others were duplicates or rate limited, and their
 * senders were told so. A hash that is gone means an earlier run of this job stored everything
 * and finished its work. A job without a hash carries the numbers itself.
 */
async function acceptedMessagesOf(batch: PersistMessagesJob, redis: Redis): Promise<Message[]> {
  if (!batch.acceptedKey) {
    const unnumbered = batch.messages.filter((message) => !message.seq);
    if (unnumbered.length > 0) throw new UnrecoverableError(`messages ${unnumbered.map((message) => message.id).join(', ')} have no room sequence number`);
    return batch.messages as Message[];
  }
  const accepted = await redis.hgetall(batch.acceptedKey);
  const messages: Message[] = [];
  for (const message of batch.messages) {
    const seq = accepted[message.id];
    if (seq !== undefined) messages.push({ ...message, seq: Number(seq) });
  }
  return messages;
}

/** Lag of the messages this run actually stored (a re-run's duplicates would only skew it). */
function observeLag(metrics: JobMetrics, batch: PersistMessagesJob, insertedIds: string[]): void {
  const committedAt = Date.now();
  const byId = new Map(batch.messages.map((message) => [message.id, message]));
  for (const id of insertedIds) {
    const acceptedAt = batch.acceptedAt?.[id] ?? Date.parse(byId.get(id)?.createdAt ?? '');
    if (Number.isFinite(acceptedAt)) metrics.persistenceLag.observe(Math.max(0, committedAt - acceptedAt) / 1000);
  }
}
