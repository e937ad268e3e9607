import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import {
  ensureMessagePartitionsFor,
  FINISH_BATCH_LUA,
  foldReplies,
  foldTimelineEvents,
  insertDeadLetters,
  storeMessageBatch,
  type DeadLetterInput,
  type RoomMembership,
  type StoredBatch,
} from '@parley/chat-store';
import { messageSchema, persistMessagesJobSchema, traceCarrierSchema, type Message } from '@parley/contracts';
import { unpersistedBatchesKey, unpersistedMessagesKey } from '@parley/keyspace';
import type { MessageKeyLayout, Producer } from '@parley/queues';
import type { Redis } from '@parley/redis';
import type { Logger } from '@parley/logger';
import { linksTo, spanContextFromCarrier } from '@parley/tracing';
import { isDataError, isMissingPartition, sqlStateOf, type DatabaseConnection, type DataSource } from '@parley/db';
import { enqueueMentionNotifications } from '../notifications/mention-producer.js';
import { enqueueMessageNotifications } from '../notifications/notification-producer.js';
import { inJobSpan } from '../queues/job-trace.js';
import type { JobMetrics } from '../queues/job-metrics.js';
import { MessageSpans } from './message-spans.js';
import { findRoomAudience } from '../notifications/room-audience.js';

export interface PersistMessagesDeps {
  database: DatabaseConnection;
  redis: Redis;
  /** The install prefix: presence and room audiences (never moved to a shard's prefix). */
  redisKeyPrefix: string;
  /**
   * Where each shard's ledger lives (MESSAGE_SHARD_KEYS): a job's batch is finished under the
   * prefix of its queue's shard, where the accept script wrote its accepted hash and ledger entry.
   */
  messageKeys: MessageKeyLayout;
  notifications: Producer<'notifications'>;
  metrics: JobMetrics;
  logger: Logger;
  /** PERSIST_TEST_DELAY_MS: pause before and after the write (tests kill the worker in between). */
  testDelayMs: number;
}

export interface PersistMessagesResult {
  inserted: number;
  /** Already stored (same id, or same sender and clientMsgId): a re-run or a duplicated job. */
  duplicates: number;
  /** In the job but not taken by its accept script (duplicates, rate limited): never stored. */
  refused: number;
  /** Set aside in the dead-letter table: malformed, or refused by PostgreSQL. */
  deadLettered: number;
  notificationJobs: number;
}

/**
 * The job's envelope: its messages (and what it says per message) are checked one by one
 * below, so one malformed message is set aside instead of failing its whole batch.
 */
const jobEnvelopeSchema = persistMessagesJobSchema.extend({
  messages: z.array(z.unknown()).min(1),
  acceptedAt: z.record(z.string(), z.unknown()).optional(),
  messageTraces: z.record(z.string(), z.unknown()).optional(),
});
type JobEnvelope = z.infer<typeof jobEnvelopeSchema>;

/**
 * One `messages` job = one batch. Inserted in one statement that skips what is already stored,
 * so running a job twice (a retry, or a re-run after the worker died before acknowledging it)
 * stores each message once. Notifications are enqueued for the whole batch every time, with
 * de-duplicating job ids, so a crash between the commit and the enqueue loses none.
 *
 * One bad message never sinks the others (docs/decisions/0006-message-dead-letters.md): a malformed
 * one, or one PostgreSQL refuses (found by halving the batch), goes to
 * `chat.message_dead_letters` and `parley_messages_dead_lettered_total`; the rest is stored.
 * A message no partition of `chat.messages` holds yet is not bad: its partition is created and
 * it is stored (docs/decisions/0039-partitioned-messages.md).
 *
 * Tracing: the job span continues the batch's trace and links to each message; each message's
 * own trace gets its processing, insert and notification spans (MessageSpans).
 */
export function createPersistMessagesProcessor(deps: PersistMessagesDeps) {
  return async (job: Job): Promise<PersistMessagesResult> => {
    const parsed = jobEnvelopeSchema.safeParse(job.data);
    // A malformed envelope will never succeed: fail at once (kept in the failed set) instead of retrying.
    if (!parsed.success) throw new UnrecoverableError(`invalid messages job: ${parsed.error.message}`);
    const batch = parsed.data;
    const messageTraces = wellFormedTraces(batch.messageTraces);
    const messageLinks = linksTo(Object.values(messageTraces).map((carrier) => spanContextFromCarrier(carrier)));
    return inJobSpan(
      'messages persist',
      batch.trace,
      async () => {
        const taken = await acceptedItemsOf(batch, deps.redis);
        const { messages, malformed } = wellFormedMessages(taken, job.id);
        const spans = new MessageSpans(messages, messageTraces);
        try {
          const dataSource = await deps.database.ready();
          if (deps.testDelayMs > 0) await sleep(deps.testDelayMs);

          const stored = await spans.recordInsert(() =>
            storeIsolatingRefusedRows(messages, (part) => storeMessageBatch(dataSource, part), {
              createPartitions: (part) => createMissingPartitions(deps, dataSource, part, job.id),
            }),
          );
          if (stored.conflictingIds.length > 0) {
            // Storing nothing in their place: their room sequence numbers belong to other messages.
            throw new Error(`messages ${stored.conflictingIds.join(', ')} clash with stored messages on (room, seq); the job keeps its accepted hash and is retried`);
          }
          const deadLetters = [...malformed, ...stored.refused.map((refused) => rejectedByDatabase(refused, job.id))];
          await setAside(deps, dataSource, deadLetters, job.id);
          observeLag(deps.metrics, batch, stored.insertedIds);

          const refusedIds = new Set(stored.refused.map((refused) => refused.message.id));
          const kept = messages.filter((message) => !refusedIds.has(message.id));
          // Edits, deletions and reactions change the messages they name; every run folds them
          // again (idempotent), so a run that died after the insert loses nothing.
          await foldTimelineEvents(dataSource, kept);
          // Replies count toward their parents the same way (recounted: idempotent).
          await foldReplies(dataSource, kept);
          const audience = await findRoomAudience(deps.redis, deps.redisKeyPrefix, stored.members);
          const keptMessages = kept.filter((message) => (message.kind ?? 'message') === 'message');
          const notificationJobs =
            (await enqueueMessageNotifications(deps.notifications, keptMessages, audience, spans)) +
            (await enqueueMentionNotifications(deps.notifications, keptMessages, audience));

          if (deps.testDelayMs > 0) await sleep(deps.testDelayMs);
          // Last: a run that dies before this leaves the set for the next run to read again.
          if (batch.acceptedKey) await finishBatch(deps, job.queueName, batch.acceptedKey);
          spans.end();
          return {
            inserted: stored.insertedIds.length,
            duplicates: kept.length - stored.insertedIds.length,
            refused: batch.messages.length - taken.length,
            deadLettered: deadLetters.length,
            notificationJobs,
          };
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
 * Creates the partitions of chat.messages that `messages` need, after PostgreSQL found none for
 * some of them. Counted and logged: it means the maintenance timer fell behind. A failure (lock
 * timeout, PostgreSQL away) is thrown, so the job fails and is retried, never set aside.
 */
async function createMissingPartitions(deps: PersistMessagesDeps, dataSource: DataSource, messages: Message[], jobId: string | undefined): Promise<void> {
  const ids = messages.map((message) => message.id);
  let created: string[];
  try {
    created = await ensureMessagePartitionsFor(dataSource, ids);
  } catch (error) {
    deps.logger.warn({ queue: 'messages', jobId, err: error }, 'no partition of chat.messages for messages of the batch, and creating it failed; the job is retried');
    throw error;
  }
  if (created.length > 0) deps.metrics.messagePartitionsCreated.inc({ trigger: 'insert' }, created.length);
  // Ids only, as for dead letters. Empty `created`: another worker made them first.
  deps.logger.warn(
    { queue: 'messages', jobId, created, ids },
    'no partition of chat.messages for messages of the batch: created the missing partitions and storing it again (is partition maintenance running?)',
  );
}

/**
 * Takes the batch off the ledger of unpersisted messages and deletes its accepted hash. The
 * ledger is the one of the job's shard (`messages-3` → `{parley:m3}:` with MESSAGE_SHARD_KEYS=shard),
 * in the slot of the accepted hash its accept script wrote next to it.
 */
async function finishBatch(deps: PersistMessagesDeps, queueName: string, acceptedKey: string): Promise<void> {
  const prefix = deps.messageKeys.prefixOfQueue(queueName);
  await deps.redis.eval(FINISH_BATCH_LUA, 3, acceptedKey, unpersistedBatchesKey(prefix), unpersistedMessagesKey(prefix));
}

/**
 * The messages of the batch its accept script took, with the room sequence numbers it gave them
 * (the hash the job names, id → seq): the others were duplicates or rate limited, and their
 * senders were told so. A hash that is gone means an earlier run of this job stored everything
 * and finished its work. A job without a hash carries the numbers itself.
 */
async function acceptedItemsOf(batch: JobEnvelope, redis: Redis): Promise<unknown[]> {
  // Without a hash, each item carries its seq; one without is malformed (set aside below).
  if (!batch.acceptedKey) return batch.messages;
  const accepted = await redis.hgetall(batch.acceptedKey);
  const items: unknown[] = [];
  for (const item of batch.messages) {
    const id = (item as { id?: unknown } | null)?.id;
    const seq = typeof id === 'string' ? accepted[id] : undefined;
    if (seq !== undefined) items.push({ ...(item as object), seq: Number(seq) });
  }
  return items;
}

/** Splits a job's messages into well-formed ones and dead letters for the others. */
function wellFormedMessages(items: unknown[], jobId: string | undefined): { messages: Message[]; malformed: DeadLetterInput[] } {
  const messages: Message[] = [];
  const malformed: DeadLetterInput[] = [];
  for (const item of items) {
    const parsed = messageSchema.safeParse(item);
    if (parsed.success) messages.push(parsed.data);
    else {
      const error = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`).join('; ');
      malformed.push({ message: item, jobId, reason: 'malformed_message', error });
    }
  }
  return { messages, malformed };
}

function rejectedByDatabase({ message, error }: RefusedMessage, jobId: string | undefined): DeadLetterInput {
  const sqlstate = sqlStateOf(error);
  return {
    message,
    jobId,
    reason: 'rejected_by_database',
    ...(sqlstate ? { sqlstate } : {}),
    error: error instanceof Error ? error.message : String(error),
  };
}

async function setAside(deps: PersistMessagesDeps, dataSource: DataSource, deadLetters: DeadLetterInput[], jobId: string | undefined): Promise<void> {
  if (deadLetters.length === 0) return;
  const added = await insertDeadLetters(dataSource, deadLetters);
  for (const reason of added) deps.metrics.messagesDeadLettered.inc({ reason });
  // Ids and reasons only: message bodies stay out of logs.
  deps.logger.warn(
    {
      queue: 'messages',
      jobId,
      deadLettered: deadLetters.map((letter) => ({
        id: (letter.message as { id?: unknown } | null)?.id,
        reason: letter.reason,
        sqlstate: letter.sqlstate,
      })),
    },
    'messages set aside in chat.message_dead_letters; the rest of the batch was stored (npm run messages:dead-letter -- --list)',
  );
}

/** The trace carriers that are well-formed (tracing never fails a batch). */
function wellFormedTraces(traces: Record<string, unknown> | undefined): Record<string, Record<string, string>> {
  const carriers: Record<string, Record<string, string>> = {};
  for (const [id, carrier] of Object.entries(traces ?? {})) {
    const parsed = traceCarrierSchema.safeParse(carrier);
    if (parsed.success && parsed.data) carriers[id] = parsed.data;
  }
  return carriers;
}

/** Lag of the messages this run actually stored (a re-run's duplicates would only skew it). */
function observeLag(metrics: JobMetrics, batch: JobEnvelope, insertedIds: string[]): void {
  const committedAt = Date.now();
  const createdAt = new Map<string, unknown>(batch.messages.map((item) => [String((item as { id?: unknown } | null)?.id), (item as { createdAt?: unknown } | null)?.createdAt]));
  for (const id of insertedIds) {
    const created = createdAt.get(id);
    const given = batch.acceptedAt?.[id];
    const acceptedAt = typeof given === 'number' ? given : typeof created === 'string' ? Date.parse(created) : Number.NaN;
    if (Number.isFinite(acceptedAt)) metrics.persistenceLag.observe(Math.max(0, committedAt - acceptedAt) / 1000);
  }
}

/** A message PostgreSQL refused to store, with its error. */
export interface RefusedMessage {
  message: Message;
  error: unknown;
}

export interface IsolatedBatch extends StoredBatch {
  refused: RefusedMessage[];
}

export interface IsolationOptions {
  /**
   * Called when PostgreSQL found no partition of chat.messages for some of `messages`
   * (isMissingPartition): creates them, then the same messages are stored once more. Without
   * it, or when they are refused for it again, the error is thrown (the job is retried).
   */
  createPartitions?: (messages: Message[]) => Promise<void>;
}

/**
 * Stores a batch with `store` (one statement, all or nothing). When PostgreSQL refuses the data
 * itself (isDataError: a NUL in a body, a value out of range), retrying would fail the same way
 * for every message of the batch, so the batch is halved and each half stored on its own until
 * the refused messages stand alone (docs/decisions/0006-message-dead-letters.md). One bad message in
 * a batch of n costs about 2·log2(n) more statements; the others are stored. A batch with a
 * message no partition holds yet gets its partitions (`createPartitions`) and is stored again:
 * nothing is wrong with its data. Any other error (an outage) is thrown as before, and the job is
 * retried.
 */
export async function storeIsolatingRefusedRows(messages: Message[], store: (messages: Message[]) => Promise<StoredBatch>, options: IsolationOptions = {}): Promise<IsolatedBatch> {
  try {
    return { ...(await storeCreatingPartitions(messages, store, options)), refused: [] };
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (messages.length === 1) return { insertedIds: [], conflictingIds: [], members: [], refused: [{ message: messages[0]!, error }] };
    const middle = Math.ceil(messages.length / 2);
    const first = await storeIsolatingRefusedRows(messages.slice(0, middle), store, options);
    const second = await storeIsolatingRefusedRows(messages.slice(middle), store, options);
    return {
      insertedIds: [...first.insertedIds, ...second.insertedIds],
      conflictingIds: [...first.conflictingIds, ...second.conflictingIds],
      members: uniqueMembers([...first.members, ...second.members]),
      refused: [...first.refused, ...second.refused],
    };
  }
}

/** `store`, and once more after creating the partitions PostgreSQL found missing for `messages`. */
async function storeCreatingPartitions(messages: Message[], store: (messages: Message[]) => Promise<StoredBatch>, options: IsolationOptions): Promise<StoredBatch> {
  try {
    return await store(messages);
  } catch (error) {
    if (!options.createPartitions || !isMissingPartition(error, 'messages')) throw error;
    await options.createPartitions(messages);
    return store(messages);
  }
}

function uniqueMembers(members: RoomMembership[]): RoomMembership[] {
  const byKey = new Map<string, RoomMembership>();
  for (const member of members) byKey.set(`${member.roomId}:${member.userId}`, member);
  return [...byKey.values()];
}
