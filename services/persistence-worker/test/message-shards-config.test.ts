import { describe, expect, it } from 'vitest';
import { ConfigError } from '@parley/config';
import { consumedShards, loadPersistenceWorkerConfig } from '../src/config.js';

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
});
