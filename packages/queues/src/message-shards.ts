/**
 * The `messages` queue split by room (docs/decisions/0041-sharded-message-queues.md): shard 0
 * keeps the single queue's name, so an install with one shard is unchanged and every job queued
 * before a reshard lies in a queue the consumers of shard 0 drain.
 */

/** Upper bound of MESSAGE_QUEUE_SHARDS: each shard costs every consuming process a blocking connection. */
export const MAX_MESSAGE_QUEUE_SHARDS = 64;

/** Matches every message queue's BullMQ name (`messages`, `messages-1`, …); also the PromQL label regex. */
export const MESSAGE_QUEUE_NAME_PATTERN = 'messages(-[0-9]+)?';
const MESSAGE_QUEUE_NAME = new RegExp(`^${MESSAGE_QUEUE_NAME_PATTERN}$`);

/**
 * The shard of a room: FNV-1a (32 bit) of the room id's UTF-8 bytes, modulo the shard count.
 * Stable across processes, versions and platforms (no seed, no runtime hash), so every producer
 * puts a room's messages in the same queue.
 */
export function messageShardOf(roomId: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shard count must be a positive integer, got ${shards}`);
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(roomId, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The BullMQ queue of a shard: `messages` for shard 0, `messages-<shard>` for the others. */
export function messageQueueName(shard: number): string {
  if (!Number.isInteger(shard) || shard < 0) throw new RangeError(`shard must be a non-negative integer, got ${shard}`);
  return shard === 0 ? 'messages' : `messages-${shard}`;
}

/** Every queue of `shards` shards, in shard order. */
export function messageQueueNames(shards: number): string[] {
  return Array.from({ length: shards }, (_, shard) => messageQueueName(shard));
}

export function isMessageQueueName(name: string): boolean {
  return MESSAGE_QUEUE_NAME.test(name);
}

/** The shard a message queue's name stands for (`messages` → 0, `messages-3` → 3). */
export function shardOfMessageQueue(name: string): number {
  if (!isMessageQueueName(name)) throw new RangeError(`${name} is not a message queue`);
  return name === 'messages' ? 0 : Number(name.slice('messages-'.length));
}

/**
 * Parses WORKER_QUEUE_SHARDS: `all`, or shards and ranges (`0-3`, `0,2,5-7`) below `shards`.
 * Returns the shards in ascending order, or a problem to report.
 */
export function parseShardSelection(spec: string, shards: number): { shards: number[] } | { problem: string } {
  const text = spec.trim();
  if (text === '' || text === 'all') return { shards: Array.from({ length: shards }, (_, shard) => shard) };
  const chosen = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})\s*)?$/.exec(part);
    if (!match) return { problem: `"${part}" is neither a shard nor a range like 0-3` };
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) return { problem: `range ${part.trim()} runs backwards` };
    if (last >= shards) return { problem: `shard ${last} does not exist with ${shards} shard(s) (0-${shards - 1})` };
    for (let shard = first; shard <= last; shard += 1) chosen.add(shard);
  }
  return { shards: [...chosen].sort((a, b) => a - b) };
}
