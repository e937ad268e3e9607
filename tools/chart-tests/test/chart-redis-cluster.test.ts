import { describe, expect, it } from 'vitest';
import { findObject, type K8sObject } from '../src/manifests.js';
import { containerEnvSources, resolveEnv } from '../src/workload-env.js';
import { ciFile, name, render, renderError } from './support/chart-render.js';

const EXTERNAL = { 'evaluation.enabled': 'false', 'externalDatabase.existingSecret': 'db' };
// --set would read `{parley}:` as a list.
const TAGGED = { redisKeyPrefix: '{parley}:' };

describe('an external Redis Cluster', () => {
  it('builds REDIS_URL from the seed nodes (TLS: rediss+cluster://) and passes the hash-tagged prefix to every service', () => {
    const objects = render({
      set: EXTERNAL,
      setJson: { config: TAGGED, externalRedis: { cluster: { enabled: true, tls: true, nodes: ['node-1.cache.example:6379', 'node-2.cache.example:6379'] } } },
    });
    for (const component of ['auth', 'user', 'chat-socket', 'persistence-worker']) {
      const env = resolveEnv(objects, containerEnvSources(objects, findObject(objects, 'Deployment', name(component))));
      expect(env.REDIS_URL, component).toBe('rediss+cluster://node-1.cache.example:6379,node-2.cache.example:6379');
      expect(env.REDIS_KEY_PREFIX, component).toBe('{parley}:');
    }
  });

  it('takes the whole cluster URL (with its password) from an existing Secret', () => {
    const objects = render({
      set: { ...EXTERNAL, 'externalRedis.existingSecret': 'redis-cluster', 'externalRedis.urlKey': 'url', 'externalRedis.cluster.enabled': 'true' },
      setJson: { config: TAGGED },
    });
    const chat = findObject(objects, 'Deployment', name('chat-socket'));
    expect(containerEnvSources(objects, chat).get('REDIS_URL')).toEqual({ kind: 'secret', name: 'redis-cluster', key: 'url' });
  });

  it('spreads the message path over the cluster with a hash tag per message shard (ci/redis-cluster-shard-keys-values.yaml)', () => {
    const objects = render({ valuesFiles: [ciFile('redis-cluster-shard-keys-values.yaml')] });
    for (const component of ['chat-socket', 'persistence-worker']) {
      const env = resolveEnv(objects, containerEnvSources(objects, findObject(objects, 'Deployment', name(component))));
      expect([env.REDIS_KEY_PREFIX, env.MESSAGE_QUEUE_SHARDS, env.MESSAGE_SHARD_KEYS], component).toEqual(['{parley}:', '4', 'shard']);
    }
  });

  it('refuses a cluster whose keys would spread over slots, and cluster settings that contradict each other', () => {
    const cluster = { ...EXTERNAL, 'externalRedis.existingSecret': 'redis', 'externalRedis.cluster.enabled': 'true' };
    expect(renderError({ set: cluster })).toMatch(/parley: externalRedis.cluster.enabled=true needs config.redisKeyPrefix with a hash tag/);
    expect(renderError({ set: cluster, setJson: { config: { redisKeyPrefix: '{}:' } } })).toMatch(/needs config.redisKeyPrefix with a hash tag/);
    expect(renderError({ set: { 'externalRedis.cluster.enabled': 'true' }, setJson: { config: TAGGED } })).toMatch(/evaluation.enabled=true \(which runs one Redis of its own\)/);
    expect(renderError({ set: { ...EXTERNAL, 'externalRedis.url': 'redis://r:6379', 'externalRedis.cluster.enabled': 'true' }, setJson: { config: TAGGED } })).toMatch(
      /externalRedis.url to be redis\+cluster:\/\//,
    );
    expect(renderError({ set: { ...EXTERNAL, 'externalRedis.url': 'redis+cluster://r:6379' } })).toMatch(/names a Redis Cluster; set externalRedis.cluster.enabled=true/);
    expect(renderError({ set: EXTERNAL, setJson: { externalRedis: { cluster: { enabled: false, nodes: ['r:6379'] } } } })).toMatch(/cluster.enabled=false/);
    expect(
      renderError({ set: EXTERNAL, setJson: { config: TAGGED, externalRedis: { existingSecret: 'redis', cluster: { enabled: true, nodes: ['r:6379'] } } } }),
    ).toMatch(/either externalRedis.cluster.nodes or externalRedis.url\/existingSecret/);
  });

  it('refuses seed nodes that are not host:port (the values schema)', () => {
    expect(renderError({ set: EXTERNAL, setJson: { config: TAGGED, externalRedis: { cluster: { enabled: true, nodes: ['r; rm -rf /'] } } } })).toMatch(/externalRedis\/cluster\/nodes/);
  });
});

describe('KEDA on queue depth with an external Redis Cluster', () => {
  const SEEDS = 'redis-0.redis.databases.svc:6379,redis-1.redis.databases.svc:6379,redis-2.redis.databases.svc:6379';
  const CLUSTER_KEDA = {
    ...EXTERNAL,
    'externalRedis.existingSecret': 'redis',
    'externalRedis.cluster.enabled': 'true',
    'config.messageQueueShards': '4',
    'config.messageShardKeys': 'shard',
    'persistenceWorker.keda.enabled': 'true',
    'persistenceWorker.autoscaling.enabled': 'false',
    'persistenceWorker.keda.listLength': '100',
    'persistenceWorker.keda.redisPasswordSecret': 'redis-password',
  };

  // --set would split the list at its commas.
  const seeds = (addresses: string) => ({ config: TAGGED, 'persistenceWorker.keda.redisClusterAddresses': addresses });

  interface Trigger {
    type: string;
    metadata: Record<string, string>;
    authenticationRef?: { name: string };
  }
  const triggersOf = (objects: K8sObject[]) => (findObject(objects, 'ScaledObject', name('persistence-worker')).spec as { triggers: Trigger[] }).triggers;

  it('reads every shard\'s wait list through KEDA\'s redis-cluster scaler, which follows each tagged key to its node', () => {
    const objects = render({ set: CLUSTER_KEDA, setJson: seeds(SEEDS) });
    expect(triggersOf(objects)).toEqual(
      ['{parley}:bull:messages:wait', '{parley:m1}:bull:messages-1:wait', '{parley:m2}:bull:messages-2:wait', '{parley:m3}:bull:messages-3:wait'].map((listName) => ({
        type: 'redis-cluster',
        metadata: { addresses: SEEDS, listName, listLength: '25', enableTLS: 'false' },
        authenticationRef: { name: name('persistence-worker') },
      })),
    );
    // The same TriggerAuthentication as for one Redis: the redis-cluster scaler takes `password` too.
    expect(findObject(objects, 'TriggerAuthentication', name('persistence-worker')).spec).toEqual({
      secretTargetRef: [{ parameter: 'password', name: 'redis-password', key: 'redis-password' }],
    });
    expect(objects.some((object) => object.kind === 'HorizontalPodAutoscaler' && object.metadata.name === name('persistence-worker'))).toBe(false);
  });

  it('batches sends in 40 ms windows and lets each worker hold 16 jobs in the 1M capacity values (jobs/s follow pods × shards ÷ window, docs/capacity.md)', () => {
    const objects = render({ valuesFiles: [ciFile('capacity-1m-values.yaml')] });
    const envOf = (component: string) => resolveEnv(objects, containerEnvSources(objects, findObject(objects, 'Deployment', name(component))));
    expect(envOf('chat-socket').SEND_BATCH_MAX_WAIT_MS).toBe('40');
    expect(envOf('persistence-worker').MESSAGES_CONCURRENCY).toBe('16');
    expect(envOf('persistence-worker').MESSAGE_QUEUE_SHARDS).toBe('8');
  });

  it('scales the 1M capacity values (ci/capacity-1m-values.yaml) on the 8 shards\' queue depth', () => {
    const triggers = triggersOf(render({ valuesFiles: [ciFile('capacity-1m-values.yaml')] }));
    expect(triggers.map((trigger) => trigger.type)).toEqual(Array(8).fill('redis-cluster'));
    expect(triggers[7]?.metadata.listName).toBe('{parley:m7}:bull:messages-7:wait');
    expect(new Set(triggers.map((trigger) => trigger.metadata.addresses))).toEqual(new Set([SEEDS]));
  });

  it('refuses KEDA on a cluster without the seed nodes for its scaler, or with a one-Redis address instead', () => {
    expect(renderError({ set: CLUSTER_KEDA, setJson: { config: TAGGED } })).toMatch(
      /parley: persistenceWorker.keda.enabled with externalRedis.cluster.enabled=true needs persistenceWorker.keda.redisClusterAddresses: comma-separated host:port seed nodes/,
    );
    expect(
      renderError({ set: { ...CLUSTER_KEDA, 'persistenceWorker.keda.redisAddress': 'r:6379' }, setJson: seeds(SEEDS) }),
    ).toMatch(/parley: persistenceWorker.keda.redisAddress names one Redis, but externalRedis.cluster.enabled=true/);
  });

  it('refuses cluster seed nodes for KEDA when the Redis is not a cluster', () => {
    expect(
      renderError({
        set: {
          ...EXTERNAL,
          'externalRedis.existingSecret': 'redis',
          'persistenceWorker.keda.enabled': 'true',
          'persistenceWorker.autoscaling.enabled': 'false',
          'persistenceWorker.keda.redisAddress': 'r:6379',
        },
        setJson: { 'persistenceWorker.keda.redisClusterAddresses': SEEDS },
      }),
    ).toMatch(/parley: persistenceWorker.keda.redisClusterAddresses is set but externalRedis.cluster.enabled=false/);
  });

  it('refuses seed nodes for KEDA that are not a comma-separated host:port list (the values schema)', () => {
    for (const addresses of ['redis-0:6379, redis-1:6379', 'redis-0', 'redis-0:6379,', 'redis://redis-0:6379']) {
      expect(renderError({ set: CLUSTER_KEDA, setJson: seeds(addresses) }), addresses).toMatch(
        /redisClusterAddresses/,
      );
    }
  });
});
