import { messageShardKeyPrefix, type MessageShardKeys } from '@parley/keyspace';
import { messageShardOf, shardOfMessageQueue } from './message-shards.js';

/**
 * Where the message path's keys of each shard and room live (MESSAGE_QUEUE_SHARDS and
 * MESSAGE_SHARD_KEYS, docs/decisions/0043-hash-tag-per-message-shard.md): every key a batch's
 * accept script touches is composed under the prefix of the batch's shard, and so is every
 * other read or write of those keys (history's recent window, counter seeding, idempotent
 * replies, the worker's ledger, backlog metrics).
 */
export interface MessageKeyLayout {
  readonly shards: number;
  readonly keys: MessageShardKeys;
  /** The key prefix of a shard's message path (the install prefix for shard 0 or `install`). */
  prefixOfShard(shard: number): string;
  /** The key prefix of the shard a room's messages go to. */
  prefixOfRoom(roomId: string): string;
  /** The key prefix of the shard whose BullMQ queue is `queueName` (`messages`, `messages-3`). */
  prefixOfQueue(queueName: string): string;
  /** The distinct prefixes of all current shards, shard order (one with `install`). */
  prefixes(): string[];
  /** `<keys>:<shards>`, what messageKeyLayoutKey holds for a running install. */
  describe(): string;
}

/**
 * Where a recorded layout (`<keys>:<shards>`, messageKeyLayoutKey) puts rooms' keys: `install`,
 * and every one-shard layout, under the install prefix; `shard:N` each room under its shard of
 * N. Two layouts may run side by side only when they agree on this
 * (docs/decisions/0043-hash-tag-per-message-shard.md).
 */
export function messageKeyPlacement(layout: string): string {
  const [keys, shards] = layout.split(':');
  return keys === 'shard' && Number(shards) > 1 ? `shard:${Number(shards)}` : 'install';
}

export function createMessageKeyLayout(installPrefix: string, shards: number, keys: MessageShardKeys): MessageKeyLayout {
  const prefixes = Array.from({ length: shards }, (_, shard) => messageShardKeyPrefix(installPrefix, shard, keys));
  return {
    shards,
    keys,
    prefixOfShard: (shard) => prefixes[shard] ?? messageShardKeyPrefix(installPrefix, shard, keys),
    prefixOfRoom: (roomId) => (keys === 'install' ? installPrefix : prefixes[messageShardOf(roomId, shards)]!),
    prefixOfQueue: (queueName) => messageShardKeyPrefix(installPrefix, shardOfMessageQueue(queueName), keys),
    prefixes: () => [...new Set(prefixes)],
    describe: () => `${keys}:${shards}`,
  };
}
