import type { Logger } from '@parley/logger';
import { readRedisConfig, type Redis } from '@parley/redis';

/** What the platform needs from Redis: queued jobs and presence must survive a restart and never be evicted. */
export const REQUIRED_REDIS_SETTINGS = { appendonly: 'yes', 'maxmemory-policy': 'noeviction' } as const;

export type RedisSettingsReport =
  | { readable: true; settings: Record<string, string | undefined>; missing: string[] }
  | { readable: false; reason: string };

/**
 * Reads the settings with CONFIG GET and warns (never fails) about each one that differs:
 * without AOF a Redis restart loses accepted-but-unpersisted messages; with an eviction policy
 * Redis may drop queued jobs under memory pressure. Managed Redis often disables CONFIG; then
 * we say so, since the settings cannot be verified from here.
 */
export async function checkRedisSettings(redis: Redis, logger: Logger): Promise<RedisSettingsReport> {
  let settings: Record<string, string | undefined>;
  try {
    settings = await readRedisConfig(redis, Object.keys(REQUIRED_REDIS_SETTINGS));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn(
      { reason, required: REQUIRED_REDIS_SETTINGS },
      'cannot read Redis settings (CONFIG GET is disabled or failed); make sure Redis runs with `appendonly yes` and `maxmemory-policy noeviction`',
    );
    return { readable: false, reason };
  }
  const missing = Object.entries(REQUIRED_REDIS_SETTINGS)
    .filter(([name, value]) => settings[name] !== value)
    .map(([name, value]) => `${name} ${value}`);
  for (const [name, value] of Object.entries(REQUIRED_REDIS_SETTINGS)) {
    if (settings[name] === value) continue;
    logger.warn(
      { setting: name, current: settings[name] ?? null, required: value },
      `Redis ${name} is ${settings[name] ?? 'unset'}: set \`${name} ${value}\` (redis.conf or CONFIG SET ${name} ${value}) so queued messages survive a Redis restart and are never evicted`,
    );
  }
  return { readable: true, settings, missing };
}
