import { describe, expect, it } from 'vitest';
import { findObject } from '../src/manifests.js';
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
    expect(
      renderError({
        set: { ...cluster, 'persistenceWorker.keda.enabled': 'true', 'persistenceWorker.autoscaling.enabled': 'false', 'persistenceWorker.keda.redisAddress': 'r:6379' },
        setJson: { config: TAGGED },
      }),
    ).toMatch(/keda.enabled is not supported with externalRedis.cluster.enabled=true/);
  });

  it('refuses seed nodes that are not host:port (the values schema)', () => {
    expect(renderError({ set: EXTERNAL, setJson: { config: TAGGED, externalRedis: { cluster: { enabled: true, nodes: ['r; rm -rf /'] } } } })).toMatch(/externalRedis\/cluster\/nodes/);
  });
});
