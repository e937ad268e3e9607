import { Job } from 'bullmq';
import type { Redis } from '@parley/redis';
import type { PersistMessagesJob, UnsequencedMessage } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { messageQueuesKey, messageShardKeyPrefix, openMessageJobKey, type MessageShardKeys } from '@parley/keyspace';
import { createProducer, messageShardOf } from '@parley/queues';
import { JOB_ARG_COUNT, JOB_KEY_COUNT, type BatchJobCall } from './accept-script.js';

/** Trace context of a batch job: the batch's own and each message's (both empty without tracing). */
export interface BatchTrace {
  batch?: Record<string, string>;
  messages?: Record<string, Record<string, string>>;
}

export interface MessageQueue {
  /** MESSAGE_QUEUE_SHARDS: how many queues the batches are spread over. */
  readonly shards: number;
  /** The shard (queue) of a room's messages: always the same for a room while the count stays. */
  shardOf(roomId: string): number;
  /**
   * Records this pod's queues in the set the workers read (messageQueuesKey), so that after a
   * change of the shard count they still find and drain these. Before the first job is added.
   */
  register(): Promise<void>;
  /**
   * The call that adds the batch's job (BullMQ's own keys and arguments for its addStandardJob
   * script), for the accept script to run inside itself: the job is written by the same script
   * that accepts the messages, or not at all. `acceptedKey` names the hash of what the script
   * accepted (id → room sequence number): the worker stores only those. The job's data lists its
   * messages last, so that a later batch can join the job while it waits
   * (docs/decisions/0048-batches-join-the-waiting-job.md); a batch whose messages carry trace
   * contexts cannot join one.
   */
  jobCall(shard: number, messages: UnsequencedMessage[], acceptedKey: string, trace?: BatchTrace): Promise<BatchJobCall>;
  close(): Promise<void>;
}

/** What `Job.addJob` hands the Redis client: the script's name and its keys followed by its arguments. */
interface RecordingClient {
  runCommand(name: string, keysAndArgs: Array<string | Buffer>): Promise<string>;
}

/**
 * The BullMQ `messages` queues (one per shard, docs/decisions/0041-sharded-message-queues.md)
 * the persistence worker drains: one job per accepted batch of one shard (or several batches, when
 * later ones join it while it waits), with the queue's policy
 * of @parley/queues. Jobs are built by BullMQ (`Job.addJob`, the path of `Queue.add`: id, options, encoding) against a
 * client that records the script call instead of sending it; the accept script then runs that
 * same BullMQ script inside itself (docs/decisions/0001-atomic-accept-and-enqueue.md).
 */
export function createMessageQueue(connection: Redis, redisKeyPrefix: string, logger: Logger, shards = 1, shardKeys: MessageShardKeys = 'install'): MessageQueue {
  // With MESSAGE_SHARD_KEYS=shard each shard's queue lives under its shard's hash tag (@parley/queues).
  const producers = Array.from({ length: shards }, (_, shard) => createProducer('messages', { connection, installPrefix: redisKeyPrefix, logger, shard, shardKeys }));
  const openJobKeys = producers.map((producer, shard) => openMessageJobKey(messageShardKeyPrefix(redisKeyPrefix, shard, shardKeys), producer.queueName));
  return {
    shards,
    shardOf: (roomId) => messageShardOf(roomId, shards),
    async register() {
      await connection.sadd(messageQueuesKey(redisKeyPrefix), ...producers.map((producer) => producer.queueName));
    },
    async jobCall(shard, messages, acceptedKey, trace = {}) {
      const producer = producers[shard];
      const openJobKey = openJobKeys[shard];
      if (!producer || openJobKey === undefined) throw new RangeError(`no message queue shard ${shard} of ${shards}`);
      const messageTraces = trace.messages && Object.keys(trace.messages).length > 0 ? trace.messages : undefined;
      // `messages` last: its items end the JSON, where a joining batch appends its own.
      const head: Omit<PersistMessagesJob, 'messages'> = { acceptedKey, ...(trace.batch ? { trace: trace.batch } : {}), ...(messageTraces ? { messageTraces } : {}) };
      const data: PersistMessagesJob = { ...head, messages };
      const job = new Job(producer.queue, 'persist', data, producer.jobOptions);
      let recorded: { name: string; keysAndArgs: Array<string | Buffer> } | undefined;
      const recorder: RecordingClient = {
        runCommand: async (name, keysAndArgs) => {
          recorded = { name, keysAndArgs };
          return '';
        },
      };
      await job.addJob(recorder as unknown as Parameters<Job['addJob']>[0]);
      if (!recorded || !recorded.name.startsWith('addStandardJob:') || recorded.keysAndArgs.length !== JOB_KEY_COUNT + JOB_ARG_COUNT) {
        throw new Error(`BullMQ did not build a standard job call (got ${recorded?.name ?? 'nothing'})`);
      }
      const keys = recorded.keysAndArgs.slice(0, JOB_KEY_COUNT).map(String);
      const args = recorded.keysAndArgs.slice(JOB_KEY_COUNT);
      return { keys, args, openJobKey, itemsOffset: messageTraces ? 0 : itemsOffsetOf(args[1], head) };
    },
    close: async () => void (await Promise.all(producers.map((producer) => producer.close()))),
  };
}

/**
 * Where the messages' items start in the job's data JSON, as a 1-based Lua string index: the
 * data is `head` with `"messages":[` and the items last. 0 (cannot be joined) when BullMQ wrote
 * the data any other way.
 */
function itemsOffsetOf(data: string | Buffer | undefined, head: Omit<PersistMessagesJob, 'messages'>): number {
  const opening = JSON.stringify({ ...head, messages: [] }).slice(0, -2);
  if (typeof data !== 'string' || !data.startsWith(opening) || !data.endsWith(']}')) return 0;
  return opening.length + 1;
}
