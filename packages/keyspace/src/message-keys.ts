/**
 * Keys of the message path: chat-socket's accept script writes them, the persistence worker
 * reads and clears some of them (docs/decisions/0001-atomic-accept-and-enqueue.md). The accept
 * script takes keys of several rooms, senders and BullMQ's own keys in one call, so these carry
 * no hash tag of their own: they are composed under a prefix whose tag keeps one script's keys in
 * one slot on a Redis Cluster. That prefix is the install's (`{parley}:`, one slot for every key
 * of the install, docs/decisions/0035-redis-cluster.md), or with MESSAGE_SHARD_KEYS=shard the
 * prefix of the message queue shard the room belongs to (`messageShardKeyPrefix`,
 * docs/decisions/0043-hash-tag-per-message-shard.md).
 */

/**
 * Where the message path's keys of a shard live: `install` keeps them under the install prefix
 * (every shard in one slot); `shard` gives each shard but shard 0 a hash tag of its own.
 */
export type MessageShardKeys = 'install' | 'shard';

/**
 * The prefix of shard `shard`'s message-path keys (its queue, accepted hashes, ledger, and the
 * counters, windows and idempotency keys of the rooms and senders of its batches; the senders'
 * token buckets stay under the install prefix, one per sender).
 * Shard 0, and every shard with `install`, keeps the install prefix, so an install with one shard
 * is the same either way. Otherwise the prefix's hash tag gets the shard appended
 * (`{parley}:` → `{parley:m3}:`), which places the shard in a slot of its own; a prefix without a
 * tag (one Redis) gets `m3:` appended instead.
 */
export function messageShardKeyPrefix(prefix: string, shard: number, keys: MessageShardKeys): string {
  if (!Number.isInteger(shard) || shard < 0) throw new RangeError(`shard must be a non-negative integer, got ${shard}`);
  if (keys === 'install' || shard === 0) return prefix;
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  if (close > open + 1) return `${prefix.slice(0, close)}:m${shard}${prefix.slice(close)}`;
  return `${prefix}m${shard}:`;
}

/** Token bucket of one sender, shared by every chat-socket pod. */
export function sendRateKey(prefix: string, senderId: string): string {
  return `${prefix}send-rate:${senderId}`;
}

/** A sender's message by client message id, so a resent message is answered, not sent twice. */
export function idempotencyKey(prefix: string, senderId: string, clientMsgId: string): string {
  return `${prefix}msg-idem:${senderId}:${clientMsgId}`;
}

/**
 * The hash of the messages one batch's script accepted, id → room sequence number, named after
 * the batch's first message id (unique across pods). The batch's persistence job names it; the
 * worker stores only those ids, with those numbers, and deletes the hash when the job is done.
 * No TTL on purpose: a job may wait for a stopped worker for as long as it takes.
 */
export function acceptedHashKey(prefix: string, firstMessageId: string): string {
  return `${prefix}msg-accepted:${firstMessageId}`;
}

/**
 * The job of a message queue that later batches may still join: `<jobId>|<accepted hash key>`,
 * written by the accept script that created the job. A batch joins it only while the job is the
 * newest in the queue's wait list (so no worker has read its data yet) and holds fewer than
 * SEND_MERGE_MAX_MESSAGES accepted messages (docs/decisions/0048-batches-join-the-waiting-job.md).
 * A hint, never trusted alone: a stale value only means the next batch starts a job of its own.
 */
export function openMessageJobKey(prefix: string, queueName: string): string {
  return `${prefix}msg-open-job:${queueName}`;
}

/** The last N accepted messages of a room, in sequence order (chat-socket's recent window). */
export function recentWindowKey(prefix: string, roomId: string): string {
  return `${prefix}room-recent:${roomId}`;
}

/**
 * A room's sequence counter: the number of its last accepted message
 * (docs/decisions/0002-room-sequence-numbers.md). No TTL: it must outlive every message of the
 * room still to be stored.
 */
export function roomSequenceKey(prefix: string, roomId: string): string {
  return `${prefix}room-seq:${roomId}`;
}

/**
 * The ledger of acknowledged messages not yet in PostgreSQL
 * (docs/decisions/0015-backlog-truth-outside-the-worker.md). Sorted set: member = a batch's
 * accepted-hash key, score = epoch ms of its acceptance.
 */
export function unpersistedBatchesKey(prefix: string): string {
  return `${prefix}msg-unpersisted:batches`;
}

/** Integer: acknowledged messages in the batches of `unpersistedBatchesKey`. */
export function unpersistedMessagesKey(prefix: string): string {
  return `${prefix}msg-unpersisted:messages`;
}

/**
 * Set of the BullMQ message queues producers have written to (`messages`, `messages-1`, …,
 * docs/decisions/0041-sharded-message-queues.md): every chat-socket pod adds its shards' queues
 * at start, so a worker finds, and drains, the queues of a shard count no longer configured.
 */
export function messageQueuesKey(prefix: string): string {
  return `${prefix}msg-queues`;
}

/**
 * The message-key layout the install's chat-socket pods run with, `<MESSAGE_SHARD_KEYS>:<shards>`
 * (`shard:4`). With `shard` a room's counter and window live under its shard's prefix, so pods
 * must never run two layouts at once: a pod whose layout differs from this one refuses to start
 * (docs/decisions/0043-hash-tag-per-message-shard.md).
 */
export function messageKeyLayoutKey(prefix: string): string {
  return `${prefix}msg-key-layout`;
}
