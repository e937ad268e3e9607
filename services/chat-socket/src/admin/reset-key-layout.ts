import { messageKeyLayoutKey, messageShardKeyPrefix, recentWindowKey, roomSequenceKey, unpersistedBatchesKey, workerIdLeaseKey } from '@parley/keyspace';
import { primaries, type Redis } from '@parley/redis';

export type ResetKeyLayoutOutcome =
  | { kind: 'reset'; layout: string; deletedKeys: number }
  | { kind: 'nothing-recorded' }
  | { kind: 'refused'; reason: string };

/** A glob matching `text` literally (SCAN MATCH). */
function literalGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, (character) => `\\${character}`);
}

/** Every key matching `pattern` on every primary. */
async function scanAll(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of primaries(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}

/**
 * Lets the install start on another message-key layout (docs/decisions/0043-hash-tag-per-message-shard.md):
 * with every chat-socket pod stopped (no worker-id lease left) and every shard's ledger empty
 * (every acknowledged message stored), deletes the rooms' sequence counters and recent windows
 * under each shard prefix of the recorded layout, then the record. Pods of the new layout seed
 * each counter again from PostgreSQL, which then holds every number handed out, and history
 * reads what the windows held from PostgreSQL. Refuses, changing nothing, otherwise.
 */
export async function resetMessageKeyLayout(redis: Redis, installPrefix: string): Promise<ResetKeyLayoutOutcome> {
  const recorded = await redis.get(messageKeyLayoutKey(installPrefix));
  if (recorded === null) return { kind: 'nothing-recorded' };
  const [keys, count] = recorded.split(':');
  const shards = Number(count);
  if ((keys !== 'install' && keys !== 'shard') || !Number.isInteger(shards) || shards < 1) {
    return { kind: 'refused', reason: `the recorded layout "${recorded}" is not one this version knows` };
  }

  const leases = await scanAll(redis, `${literalGlob(workerIdLeaseKey(installPrefix, 0).replace(/0$/, ''))}*`);
  if (leases.length > 0) return { kind: 'refused', reason: `${leases.length} chat-socket pod(s) still hold a worker-id lease: stop every chat-socket pod first (leases expire 30 s after a pod stops)` };

  const prefixes = [...new Set(Array.from({ length: shards }, (_, shard) => messageShardKeyPrefix(installPrefix, shard, keys)))];
  for (const prefix of prefixes) {
    const waiting = await redis.zcard(unpersistedBatchesKey(prefix));
    if (waiting > 0) return { kind: 'refused', reason: `${waiting} accepted batch(es) under ${prefix} are not stored yet: let the persistence worker empty the backlog (parley_messages_unpersisted = 0) first` };
  }

  let deletedKeys = 0;
  for (const prefix of prefixes) {
    const patterns = [`${literalGlob(roomSequenceKey(prefix, ''))}*`, `${literalGlob(recentWindowKey(prefix, ''))}*`];
    for (const pattern of patterns) {
      // In chunks: every key under one prefix shares its slot (the prefix's hash tag on a cluster).
      const keys = await scanAll(redis, pattern);
      for (let start = 0; start < keys.length; start += 500) deletedKeys += await redis.del(...keys.slice(start, start + 500));
    }
  }
  await redis.del(messageKeyLayoutKey(installPrefix));
  return { kind: 'reset', layout: recorded, deletedKeys };
}
