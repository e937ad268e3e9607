import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHelm } from '../src/helm.js';
import { findObject } from '../src/manifests.js';
import { REPO_ROOT } from '../src/repo-paths.js';
import { containerEnvSources, resolveEnv } from '../src/workload-env.js';
import { RELEASE, ciFile, name, render, renderError } from './support/chart-render.js';

const KEDA = { 'persistenceWorker.keda.enabled': 'true', 'persistenceWorker.autoscaling.enabled': 'false', 'persistenceWorker.keda.listLength': '100' };

interface RedisTrigger {
  type: string;
  metadata: { listName: string; listLength: string } & Record<string, string>;
}

const triggersOf = (objects: ReturnType<typeof render>) => (findObject(objects, 'ScaledObject', name('persistence-worker')).spec as { triggers: RedisTrigger[] }).triggers;
const listNamesOf = (objects: ReturnType<typeof render>) => triggersOf(objects).map((trigger) => trigger.metadata.listName);
const envOf = (objects: ReturnType<typeof render>, component: string) => resolveEnv(objects, containerEnvSources(objects, findObject(objects, 'Deployment', name(component))));

describe('a sharded messages queue (config.messageQueueShards)', () => {
  it('gives chat-socket and the persistence worker the same shard count, 1 by default', () => {
    for (const [objects, shards] of [
      [render(), '1'],
      [render({ set: { 'config.messageQueueShards': '8' } }), '8'],
    ] as const) {
      for (const component of ['chat-socket', 'persistence-worker']) {
        const env = resolveEnv(objects, containerEnvSources(objects, findObject(objects, 'Deployment', name(component))));
        expect(env.MESSAGE_QUEUE_SHARDS, component).toBe(shards);
      }
    }
  });

  it('lets KEDA watch every shard\'s wait list, with the target shared out over them', () => {
    expect(triggersOf(render({ set: KEDA })).map((trigger) => [trigger.metadata.listName, trigger.metadata.listLength])).toEqual([['parley:bull:messages:wait', '100']]);
    const sharded = triggersOf(render({ set: { ...KEDA, 'config.messageQueueShards': '4' } }));
    expect(sharded.map((trigger) => trigger.metadata.listName)).toEqual(['parley:bull:messages:wait', 'parley:bull:messages-1:wait', 'parley:bull:messages-2:wait', 'parley:bull:messages-3:wait']);
    expect(new Set(sharded.map((trigger) => trigger.metadata.listLength))).toEqual(new Set(['25']));
    expect(sharded.every((trigger) => trigger.type === 'redis')).toBe(true);
    // One Redis: KEDA's `redis` scaler on one address (the evaluation Redis by default).
    expect(sharded.map((trigger) => trigger.metadata)).toEqual(
      sharded.map((trigger) => ({ address: `${name('redis')}.chat.svc:6379`, listName: trigger.metadata.listName, listLength: '25', enableTLS: 'false' })),
    );
  });

  it('refuses a shard count outside 1-64 or not a whole number', () => {
    for (const shards of ['0', '65', '1.5', '-2']) expect(renderError({ set: { 'config.messageQueueShards': shards } }), shards).toMatch(/messageQueueShards/);
  });
});

describe('where the message path keeps its Redis keys (config.messageShardKeys)', () => {
  it('gives chat-socket and the persistence worker the same MESSAGE_SHARD_KEYS, `install` by default', () => {
    for (const [objects, keys] of [
      [render(), 'install'],
      [render({ set: { 'config.messageShardKeys': 'shard', 'config.messageQueueShards': '4' } }), 'shard'],
    ] as const) {
      for (const component of ['chat-socket', 'persistence-worker']) expect(envOf(objects, component).MESSAGE_SHARD_KEYS, component).toBe(keys);
    }
  });

  // The prefixes are messageShardKeyPrefix's (packages/keyspace/src/message-keys.ts) composed with
  // bullPrefix: BullMQ's keys of shard k are `<shard prefix>bull:messages-k:…`.
  it('lets KEDA watch each shard\'s wait list under the install prefix with `install`', () => {
    expect(listNamesOf(render({ set: { ...KEDA, 'config.messageQueueShards': '4', 'config.messageShardKeys': 'install' } }))).toEqual([
      'parley:bull:messages:wait',
      'parley:bull:messages-1:wait',
      'parley:bull:messages-2:wait',
      'parley:bull:messages-3:wait',
    ]);
  });

  it('lets KEDA watch each shard\'s wait list under that shard\'s own prefix with `shard`, shard 0 keeping the install prefix', () => {
    const untagged = render({ set: { ...KEDA, 'config.messageQueueShards': '4', 'config.messageShardKeys': 'shard' } });
    expect(listNamesOf(untagged)).toEqual(['parley:bull:messages:wait', 'parley:m1:bull:messages-1:wait', 'parley:m2:bull:messages-2:wait', 'parley:m3:bull:messages-3:wait']);
    expect(new Set(triggersOf(untagged).map((trigger) => trigger.metadata.listLength))).toEqual(new Set(['25']));

    // --set would read `{parley}:` as a list.
    const tagged = render({ set: { ...KEDA, 'config.messageQueueShards': '3', 'config.messageShardKeys': 'shard' }, setJson: { config: { redisKeyPrefix: '{parley}:' } } });
    expect(listNamesOf(tagged)).toEqual(['{parley}:bull:messages:wait', '{parley:m1}:bull:messages-1:wait', '{parley:m2}:bull:messages-2:wait']);
  });

  it('composes a shard\'s prefix by the hash-tag rule of Redis: the first `{` and the first `}` after it, a tag only when not empty', () => {
    const listNames = (redisKeyPrefix: string) =>
      listNamesOf(render({ set: { ...KEDA, 'config.messageQueueShards': '12', 'config.messageShardKeys': 'shard' }, setJson: { config: { redisKeyPrefix } } }));
    expect(listNames('prod:{chat}:')[11]).toBe('prod:{chat:m11}:bull:messages-11:wait');
    expect(listNames('a{b{c}d}:')[2]).toBe('a{b{c:m2}d}:bull:messages-2:wait');
    expect(listNames('{}parley:')[2]).toBe('{}parley:m2:bull:messages-2:wait');
    expect(listNames('{parley:')[2]).toBe('{parley:m2:bull:messages-2:wait');
    expect(listNames('')[1]).toBe('m1:bull:messages-1:wait');
  });

  it('refuses a value other than `install` or `shard`, in the values schema and in the chart\'s own checks', () => {
    expect(renderError({ set: { 'config.messageShardKeys': 'room' } })).toMatch(/messageShardKeys.*must be one of 'install', 'shard'/);
    expect(renderError({ set: { 'config.messageShardKeys': 'room' }, skipSchemaValidation: true })).toMatch(
      /parley: config.messageShardKeys is "room"; it must be `install` .* or `shard`/,
    );
  });

  it('warns in NOTES.txt that with `shard` a reshard is not a rolling upgrade, and that one Redis gains nothing from it', () => {
    const notesWith = (...args: string[]): string => {
      const install = runHelm(['install', RELEASE, join(REPO_ROOT, 'charts', 'parley'), '--dry-run=client', '--namespace', 'chat', ...args]);
      expect(install.ok, install.stderr).toBe(true);
      return install.stdout.slice(install.stdout.indexOf('NOTES:'));
    };
    const oneRedis = notesWith('--set', 'config.messageShardKeys=shard', '--set', 'config.messageQueueShards=4');
    expect(oneRedis).toContain('config.messageShardKeys=shard, 4 shard(s)');
    expect(oneRedis).toContain('stop every chat-socket pod first');
    expect(oneRedis).toContain('every shard is on the same Redis');
    const cluster = notesWith('--values', ciFile('redis-cluster-shard-keys-values.yaml'));
    expect(cluster).toContain('stop every chat-socket pod first');
    expect(cluster).not.toContain('every shard is on the same Redis');
    expect(notesWith()).not.toContain('MESSAGE SHARDS KEEP THEIR OWN REDIS KEYS');
  });
});
