/**
 * The `messages` queue is split into shards, each a BullMQ queue of its own and so a `queue`
 * label of its own (`messages`, `messages-1`, …; @parley/queues MESSAGE_QUEUE_NAME_PATTERN,
 * docs/decisions/0041-sharded-message-queues.md). Rules and the overview read the family as one
 * queue; the queues dashboard shows each shard.
 */
export const MESSAGE_QUEUES = 'messages(-[0-9]+)?';

/**
 * `aggregation` by (namespace, queue) of `expr`, with the shards of `messages` counted as one
 * `queue="messages"`. Relabelling `queue` directly would give several series the same labels
 * (which PromQL refuses), so the family goes through a label of its own first.
 */
export function foldMessageShards(aggregation: 'sum' | 'max', expr: string): string {
  const family = `label_replace(label_replace(${expr}, "queue_family", "$1", "queue", "(.*)"), "queue_family", "messages", "queue", "messages-[0-9]+")`;
  return `${aggregation} by (namespace, queue) (label_replace(${aggregation} by (namespace, queue_family) (${family}), "queue", "$1", "queue_family", "(.*)"))`;
}
