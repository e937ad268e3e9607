import { Cluster, type Redis as SingleRedis } from 'ioredis';
import type { Redis } from './create-redis.js';

/** The primaries to ask about settings or to SCAN: the one Redis, or every primary of a cluster. */
export function primaries(redis: Redis): SingleRedis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/**
 * Reads Redis settings with CONFIG GET, one name at a time (undefined: unknown to this Redis).
 * On a cluster every primary is asked; primaries that disagree give `mixed (a, b)`, which no
 * check accepts. Throws when CONFIG is disabled (managed Redis often renames it away) or the
 * call fails.
 */
export async function readRedisConfig(redis: Redis, names: readonly string[]): Promise<Record<string, string | undefined>> {
  const nodes = primaries(redis);
  if (nodes.length === 0) throw new Error('no Redis Cluster primary is connected');
  const settings: Record<string, string | undefined> = {};
  for (const name of names) {
    const values = new Set<string | undefined>();
    for (const node of nodes) values.add(((await node.call('CONFIG', 'GET', name)) as string[])[1]);
    settings[name] = values.size === 1 ? [...values][0] : `mixed (${[...values].map((value) => value ?? 'unset').join(', ')})`;
  }
  return settings;
}

/** Replicas connected to this Redis, from INFO replication; on a cluster, the fewest any primary has. */
export async function connectedReplicas(redis: Redis): Promise<number> {
  const nodes = primaries(redis);
  if (nodes.length === 0) return 0;
  const counts = await Promise.all(
    nodes.map(async (node) => {
      // Only replicas streaming (`state=online`) can confirm a WAIT: one still in its first full
      // sync (Redis 7 delays a diskless sync by repl-diskless-sync-delay, 5 s) is connected but
      // confirms nothing until it is done.
      return [...(await node.info('replication')).matchAll(/^slave\d+:.*\bstate=online\b/gm)].length;
    }),
  );
  return Math.min(...counts);
}

/** A key's slot never changes; asked once per key (callers pass one or two fixed keys). */
const slotOfKey = new Map<string, number>();

/**
 * The connection to the primary that serves `key`: for WAIT, which counts the replicas that
 * have the writes of one connection and so must go where the script ran. The one Redis
 * itself when not a cluster.
 */
export async function primaryOfKey(redis: Redis, key: string): Promise<SingleRedis> {
  if (!(redis instanceof Cluster)) return redis;
  let slot = slotOfKey.get(key);
  if (slot === undefined) {
    slot = Number(await redis.cluster('KEYSLOT', key));
    slotOfKey.set(key, slot);
  }
  const owner = redis.slots[slot]?.[0];
  const node = redis.nodes('master').find((candidate) => `${candidate.options.host}:${candidate.options.port}` === owner);
  if (!node) throw new Error(`no connected primary serves slot ${slot}`);
  return node;
}
