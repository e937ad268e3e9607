import type { Redis } from 'ioredis';

/**
 * Reads Redis settings with CONFIG GET, one name at a time (undefined: unknown to this Redis).
 * Throws when CONFIG is disabled (managed Redis often renames it away) or the call fails.
 */
export async function readRedisConfig(redis: Redis, names: readonly string[]): Promise<Record<string, string | undefined>> {
  const settings: Record<string, string | undefined> = {};
  for (const name of names) {
    const reply = (await redis.call('CONFIG', 'GET', name)) as string[];
    settings[name] = reply[1];
  }
  return settings;
}

/** Replicas connected to this Redis, from INFO replication. */
export async function connectedReplicas(redis: Redis): Promise<number> {
  const info = await redis.info('replication');
  const match = /^connected_slaves:(\d+)/m.exec(info);
  return match ? Number(match[1]) : 0;
}
