import { describe, expect, it } from 'vitest';
import { findObject } from '../src/manifests.js';
import { containerEnvSources, resolveEnv } from '../src/workload-env.js';
import { name, render, renderError } from './support/chart-render.js';

const KEDA = { 'persistenceWorker.keda.enabled': 'true', 'persistenceWorker.autoscaling.enabled': 'false', 'persistenceWorker.keda.listLength': '100' };

interface RedisTrigger {
  type: string;
  metadata: { listName: string; listLength: string };
}

const triggersOf = (objects: ReturnType<typeof render>) => (findObject(objects, 'ScaledObject', name('persistence-worker')).spec as { triggers: RedisTrigger[] }).triggers;

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
  });

  it('refuses a shard count outside 1-64 or not a whole number', () => {
    for (const shards of ['0', '65', '1.5', '-2']) expect(renderError({ set: { 'config.messageQueueShards': shards } }), shards).toMatch(/messageQueueShards/);
  });
});
