import { describe, expect, it } from 'vitest';
import { ConfigError } from '@parley/config';
import { consumedShards, loadPersistenceWorkerConfig, messageKeyLayoutOf } from '../src/config.js';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/parley' };

describe('the worker\'s shard settings', () => {
  it('consumes the one queue by default, and every shard of MESSAGE_QUEUE_SHARDS unless told otherwise', () => {
    expect(consumedShards(loadPersistenceWorkerConfig(base))).toEqual([0]);
    expect(consumedShards(loadPersistenceWorkerConfig({ ...base, MESSAGE_QUEUE_SHARDS: '4' }))).toEqual([0, 1, 2, 3]);
    expect(consumedShards(loadPersistenceWorkerConfig({ ...base, MESSAGE_QUEUE_SHARDS: '8', WORKER_QUEUE_SHARDS: '4-7' }))).toEqual([4, 5, 6, 7]);
  });

  it('refuses to start with shards that do not exist or a shard count outside 1-64', () => {
    expect(() => loadPersistenceWorkerConfig({ ...base, MESSAGE_QUEUE_SHARDS: '4', WORKER_QUEUE_SHARDS: '2-5' })).toThrow(/WORKER_QUEUE_SHARDS: shard 5 does not exist/);
    expect(() => loadPersistenceWorkerConfig({ ...base, WORKER_QUEUE_SHARDS: 'first' })).toThrow(ConfigError);
    for (const shards of ['0', '65', '2.5', 'four']) expect(() => loadPersistenceWorkerConfig({ ...base, MESSAGE_QUEUE_SHARDS: shards }), shards).toThrow(/MESSAGE_QUEUE_SHARDS/);
  });

  it('keeps every shard under the install prefix by default, and with MESSAGE_SHARD_KEYS=shard each shard but 0 under a hash tag of its own', () => {
    const tagged = { ...base, REDIS_KEY_PREFIX: '{parley}:', MESSAGE_QUEUE_SHARDS: '4' };
    const installLayout = messageKeyLayoutOf(loadPersistenceWorkerConfig(tagged));
    expect(installLayout.keys).toBe('install');
    expect(installLayout.prefixOfQueue('messages-3')).toBe('{parley}:');

    const shardLayout = messageKeyLayoutOf(loadPersistenceWorkerConfig({ ...tagged, MESSAGE_SHARD_KEYS: 'shard' }));
    expect(shardLayout.prefixes()).toEqual(['{parley}:', '{parley:m1}:', '{parley:m2}:', '{parley:m3}:']);
    // A queue left by another shard count has its shard's prefix too.
    expect(shardLayout.prefixOfQueue('messages-5')).toBe('{parley:m5}:');
  });

  it('refuses a MESSAGE_SHARD_KEYS other than install or shard', () => {
    for (const keys of ['cluster', 'SHARD', '']) expect(() => loadPersistenceWorkerConfig({ ...base, MESSAGE_SHARD_KEYS: keys }), keys).toThrow(/MESSAGE_SHARD_KEYS/);
  });
});
