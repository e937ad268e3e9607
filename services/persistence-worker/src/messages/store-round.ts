import {
  ensureMessagePartitionsFor,
  foldReplies,
  foldTimelineEvents,
  insertDeadLetters,
  storeMessageBatch,
  type DeadLetterInput,
  type RoomMembership,
  type StoredBatch,
} from '@parley/chat-store';
import type { Message } from '@parley/contracts';
import { isDataError, isMissingPartition, sqlStateOf, type DatabaseConnection, type DataSource } from '@parley/db';
import type { Logger } from '@parley/logger';
import type { Producer } from '@parley/queues';
import type { Redis } from '@parley/redis';
import { enqueueMentionNotifications } from '../notifications/mention-producer.js';
import { enqueueMessageNotifications } from '../notifications/notification-producer.js';
import { findRoomAudience } from '../notifications/room-audience.js';
import type { JobMetrics } from '../queues/job-metrics.js';
import type { MessageSpans } from './message-spans.js';
import type { PartResult } from './round-coalescer.js';

export interface StoreRoundDeps {
  database: DatabaseConnection;
  redis: Redis;
  /** The install prefix: presence and room audiences. */
  redisKeyPrefix: string;
  notifications: Producer<'notifications'>;
  metrics: JobMetrics;
  logger: Logger;
}

/** One job's share of a round: the messages its accept script took, well-formed. */
export interface StorePart {
  jobId: string | undefined;
  messages: Message[];
  /** Items of the job that are not messages: set aside with the round's dead letters. */
  malformed: DeadLetterInput[];
  spans: MessageSpans;
  /** Acceptance times by message id (the job's `acceptedAt`), for the persistence lag. */
  acceptedAt: Record<string, unknown> | undefined;
}

export interface StorePartOutcome {
  insertedIds: string[];
  /** Well-formed and not refused by PostgreSQL: stored now or before. */
  kept: number;
  deadLettered: number;
  notificationJobs: number;
  /** Jobs whose messages went in the same INSERT, this one included. */
  roundJobs: number;
}

/**
 * Stores the messages of every job in the round with ONE insert statement (isolating rows
 * PostgreSQL refuses, creating missing partitions), then, for the whole round, sets aside dead
 * letters, folds timeline events and replies, and reads the rooms' audience once; notifications
 * are enqueued per job (their count is the job's). A job some of whose messages clash with stored
 * ones on (room, seq) fails alone, before anything else of it is done, as it did on its own.
 * Every step is idempotent, so a round that fails is retried job by job (docs/decisions/0045-shared-store-rounds.md).
 */
export async function storeRound(deps: StoreRoundDeps, parts: StorePart[]): Promise<Array<PartResult<StorePartOutcome>>> {
  const dataSource = await deps.database.ready();
  const jobIds = parts.map((part) => part.jobId);
  const shared = storeIsolatingRefusedRows(
    parts.flatMap((part) => part.messages),
    (messages) => storeMessageBatch(dataSource, messages),
    { createPartitions: (messages) => createMissingPartitions(deps, dataSource, messages, jobIds) },
  );
  // Each job's traced messages get the shared statement's span; an outage fails them all.
  const shares = shared.then((batch) => sharesOf(batch, parts));
  const stored = await Promise.all(parts.map((part, index) => part.spans.recordInsert(() => shares.then((all) => all[index]!))));
  const members = (await shared).members;
  deps.metrics.storeRoundJobs.observe(parts.length);

  const results: Array<PartResult<StorePartOutcome> | undefined> = parts.map((_, index) => {
    const conflicting = stored[index]!.conflictingIds;
    // Storing nothing in their place: their room sequence numbers belong to other messages.
    if (conflicting.length === 0) return undefined;
    return { ok: false, error: new Error(`messages ${conflicting.join(', ')} clash with stored messages on (room, seq); the job keeps its accepted hash and is retried`) };
  });
  const going = parts.flatMap((part, index) => (results[index] ? [] : [{ part, index, stored: stored[index]! }]));

  const deadLetters = going.flatMap(({ part, stored: share }) => [...part.malformed, ...share.refused.map((refused) => rejectedByDatabase(refused, part.jobId))]);
  await setAside(deps, dataSource, deadLetters);
  const keptByPart = going.map(({ part, stored: share }) => {
    observeLag(deps.metrics, part, share.insertedIds);
    const refusedIds = new Set(share.refused.map((refused) => refused.message.id));
    return part.messages.filter((message) => !refusedIds.has(message.id));
  });
  const kept = keptByPart.flat();
  // Edits, deletions and reactions change the messages they name; every run folds them
  // again (idempotent), so a run that died after the insert loses nothing.
  await foldTimelineEvents(dataSource, kept);
  // Replies count toward their parents the same way (recounted: idempotent).
  await foldReplies(dataSource, kept);
  const audience = await findRoomAudience(deps.redis, deps.redisKeyPrefix, members);

  for (const [position, { part, index, stored: share }] of going.entries()) {
    const keptMessages = keptByPart[position]!.filter((message) => (message.kind ?? 'message') === 'message');
    const notificationJobs =
      (await enqueueMessageNotifications(deps.notifications, keptMessages, audience, part.spans)) +
      (await enqueueMentionNotifications(deps.notifications, keptMessages, audience));
    results[index] = {
      ok: true,
      value: { insertedIds: share.insertedIds, kept: keptByPart[position]!.length, deadLettered: part.malformed.length + share.refused.length, notificationJobs, roundJobs: parts.length },
    };
  }
  return results.map((result) => result!);
}

/**
 * What of a round's insert concerns each job's messages (the rooms' members stay the round's).
 * A message in two jobs of the round (a batch enqueued twice) was inserted once: it counts as
 * inserted for the first of them, as a duplicate for the other, as if they had run one by one.
 */
function sharesOf(batch: IsolatedBatch, parts: StorePart[]): IsolatedBatch[] {
  const unclaimed = new Set(batch.insertedIds);
  return parts.map(({ messages }) => {
    const ids = new Set(messages.map((message) => message.id));
    const insertedIds = [...ids].filter((id) => unclaimed.delete(id));
    return {
      insertedIds,
      conflictingIds: batch.conflictingIds.filter((id) => ids.has(id)),
      members: [] as RoomMembership[],
      refused: batch.refused.filter((refused) => ids.has(refused.message.id)),
    };
  });
}

/**
 * Creates the partitions of chat.messages that `messages` need, after PostgreSQL found none for
 * some of them. Counted and logged: it means the maintenance timer fell behind. A failure (lock
 * timeout, PostgreSQL away) is thrown, so the jobs fail and are retried, never set aside.
 */
async function createMissingPartitions(deps: StoreRoundDeps, dataSource: DataSource, messages: Message[], jobIds: Array<string | undefined>): Promise<void> {
  const ids = messages.map((message) => message.id);
  let created: string[];
  try {
    created = await ensureMessagePartitionsFor(dataSource, ids);
  } catch (error) {
    deps.logger.warn({ queue: 'messages', jobIds, err: error }, 'no partition of chat.messages for messages of the batch, and creating it failed; the job is retried');
    throw error;
  }
  if (created.length > 0) deps.metrics.messagePartitionsCreated.inc({ trigger: 'insert' }, created.length);
  // Ids only, as for dead letters. Empty `created`: another worker made them first.
  deps.logger.warn(
    { queue: 'messages', jobIds, created, ids },
    'no partition of chat.messages for messages of the batch: created the missing partitions and storing it again (is partition maintenance running?)',
  );
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

async function setAside(deps: StoreRoundDeps, dataSource: DataSource, deadLetters: DeadLetterInput[]): Promise<void> {
  if (deadLetters.length === 0) return;
  const added = await insertDeadLetters(dataSource, deadLetters);
  for (const reason of added) deps.metrics.messagesDeadLettered.inc({ reason });
  // Ids and reasons only: message bodies stay out of logs.
  deps.logger.warn(
    {
      queue: 'messages',
      jobIds: [...new Set(deadLetters.map((letter) => letter.jobId))],
      deadLettered: deadLetters.map((letter) => ({
        id: (letter.message as { id?: unknown } | null)?.id,
        jobId: letter.jobId,
        reason: letter.reason,
        sqlstate: letter.sqlstate,
      })),
    },
    'messages set aside in chat.message_dead_letters; the rest of the batch was stored (npm run messages:dead-letter -- --list)',
  );
}

/** Lag of the messages this run actually stored (a re-run's duplicates would only skew it). */
function observeLag(metrics: JobMetrics, part: StorePart, insertedIds: string[]): void {
  const committedAt = Date.now();
  const createdAt = new Map<string, string>(part.messages.map((message) => [message.id, message.createdAt]));
  for (const id of insertedIds) {
    const given = part.acceptedAt?.[id];
    const created = createdAt.get(id);
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
