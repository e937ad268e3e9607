import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { redisEnv } from './common-env.js';
import { ConfigError, loadConfig } from './load-config.js';

const schema = z.object({ ...redisEnv });

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('Redis settings', () => {
  it('take one Redis by default, with the plain prefix', () => {
    expect(loadConfig(schema, {})).toEqual({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: 'parley:' });
  });

  it('take a Redis Cluster by its seeds when the prefix carries a hash tag', () => {
    const env = { REDIS_URL: 'rediss+cluster://:pw@node-1:6379,node-2:6379', REDIS_KEY_PREFIX: '{parley}:' };
    expect(loadConfig(schema, env)).toEqual(env);
  });

  it('refuse a cluster with a prefix whose keys would spread over slots', () => {
    expect(problems({ REDIS_URL: 'redis+cluster://node-1:6379', REDIS_KEY_PREFIX: 'parley:' })).toEqual([
      'REDIS_KEY_PREFIX: with a Redis Cluster (REDIS_URL redis+cluster://…) it must carry a hash tag, e.g. {parley}:',
    ]);
    expect(problems({ REDIS_URL: 'redis+cluster://node-1:6379' })).toHaveLength(1);
  });

  it('refuse other schemes and prefixes with characters outside the allowed set', () => {
    expect(problems({ REDIS_URL: 'http://node-1:6379' })[0]).toMatch(/^REDIS_URL: must be a redis:\/\//);
    expect(problems({ REDIS_KEY_PREFIX: 'par ley\n:' })[0]).toMatch(/^REDIS_KEY_PREFIX:/);
  });
});
