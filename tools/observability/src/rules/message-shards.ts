/**
 * The `messages` queue is split into shards, each a BullMQ queue of its own and so a `queue`
 * label of its own (`messages`, `messages-1`, …; @parley/queues MESSAGE_QUEUE_NAME_PATTERN,
 * docs/decisions/XXXX-sharded-message-queues.md). Rules and the overview read the family as one
 * queue; the queues dashboard shows each shard.
 */
export const MESSAGE_QUEUES = 'messages(-[0-9]+)?';

/** Relabels every shard's series as `queue="messages"`, for a sum or max over the family. */
export function foldMessageShards(expr: string): string {
  return `label_replace(${expr}, "queue", "messages", "queue", "messages-[0-9]+")`;
}
