/**
 * Keys of the message path: chat-socket's accept script writes them, the persistence worker
 * reads and clears some of them (docs/decisions/0001-atomic-accept-and-enqueue.md). The accept
 * script takes keys of several rooms, senders and BullMQ's own keys in one call, so these carry
 * no hash tag of their own: on a Redis Cluster the install prefix's tag (`{parley}:`) puts them,
 * and every other key of the install, in one slot (docs/decisions/0035-redis-cluster.md).
 */

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
