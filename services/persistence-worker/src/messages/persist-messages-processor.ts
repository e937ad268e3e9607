import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { FINISH_BATCH_LUA, type DeadLetterInput } from '@parley/chat-store';
import { messageSchema, persistMessagesJobSchema, traceCarrierSchema, type Message } from '@parley/contracts';
import { unpersistedBatchesKey, unpersistedMessagesKey } from '@parley/keyspace';
import type { MessageKeyLayout } from '@parley/queues';
import type { Redis } from '@parley/redis';
import { linksTo, spanContextFromCarrier } from '@parley/tracing';
import { inJobSpan } from '../queues/job-trace.js';
import { MessageSpans } from './message-spans.js';
import { RoundCoalescer, type RoundCoalescerSettings } from './round-coalescer.js';
import { storeRound, type StorePart, type StorePartOutcome, type StoreRoundDeps } from './store-round.js';

export interface PersistMessagesDeps extends StoreRoundDeps {
  /**
   * Where each shard's ledger lives (MESSAGE_SHARD_KEYS): a job's batch is finished under the
   * prefix of its queue's shard, where the accept script wrote its accepted hash and ledger entry.
   */
  messageKeys: MessageKeyLayout;
  /** PERSIST_TEST_DELAY_MS: pause before and after the write (tests kill the worker in between). */
  testDelayMs: number;
  /** MESSAGES_ROUND_WINDOW_MS and MESSAGES_CONCURRENCY: how long a job may wait for companions, and how many there can be. */
  rounds?: RoundCoalescerSettings;
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
  /** Jobs whose messages went in the same INSERT, this one included (store-round.ts). */
  roundJobs: number;
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
 * Jobs this process runs at the same time (MESSAGES_CONCURRENCY) share that statement: each
 * reads what its accept script took, then joins the next store round (store-round.ts), and
 * takes its batch off the ledger only once the round has stored it
 * (docs/decisions/0045-shared-store-rounds.md).
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
  const rounds = new RoundCoalescer<StorePart, StorePartOutcome>((parts) => storeRound(deps, parts), deps.rounds);
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
          if (deps.testDelayMs > 0) await sleep(deps.testDelayMs);

          const stored = await rounds.submit({ jobId: job.id, messages, malformed, spans, acceptedAt: batch.acceptedAt });

          if (deps.testDelayMs > 0) await sleep(deps.testDelayMs);
          // Last: a run that dies before this leaves the set for the next run to read again.
          if (batch.acceptedKey) await finishBatch(deps, job.queueName, batch.acceptedKey);
          spans.end();
          return {
            inserted: stored.insertedIds.length,
            duplicates: stored.kept - stored.insertedIds.length,
            refused: batch.messages.length - taken.length,
            deadLettered: stored.deadLettered,
            notificationJobs: stored.notificationJobs,
            roundJobs: stored.roundJobs,
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

const FINISH_BATCH_COMMAND = 'parleyFinishBatch';
type WithFinishBatch = { [FINISH_BATCH_COMMAND]: (acceptedKey: string, batchesKey: string, messagesKey: string) => Promise<number> };

/**
 * Takes the batch off the ledger of unpersisted messages and deletes its accepted hash. The
 * ledger is the one of the job's shard (`messages-3` → `{parley:m3}:` with MESSAGE_SHARD_KEYS=shard),
 * in the slot of the accepted hash its accept script wrote next to it.
 */
async function finishBatch(deps: PersistMessagesDeps, queueName: string, acceptedKey: string): Promise<void> {
  const prefix = deps.messageKeys.prefixOfQueue(queueName);
  // EVALSHA, as the other scripts: EVAL would send the script and have Redis hash it for every job.
  if (!(FINISH_BATCH_COMMAND in deps.redis)) deps.redis.defineCommand(FINISH_BATCH_COMMAND, { lua: FINISH_BATCH_LUA, numberOfKeys: 3 });
  await (deps.redis as unknown as WithFinishBatch)[FINISH_BATCH_COMMAND](acceptedKey, unpersistedBatchesKey(prefix), unpersistedMessagesKey(prefix));
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

/** The trace carriers that are well-formed (tracing never fails a batch). */
function wellFormedTraces(traces: Record<string, unknown> | undefined): Record<string, Record<string, string>> {
  const carriers: Record<string, Record<string, string>> = {};
  for (const [id, carrier] of Object.entries(traces ?? {})) {
    const parsed = traceCarrierSchema.safeParse(carrier);
    if (parsed.success && parsed.data) carriers[id] = parsed.data;
  }
  return carriers;
}
