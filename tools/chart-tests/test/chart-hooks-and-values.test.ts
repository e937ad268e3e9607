import { describe, expect, it } from 'vitest';
import { readBootstrapSettings } from '../../key-bootstrap/src/bootstrap-settings.js';
import { type RenderOptions } from '../src/helm.js';
import { findObject, type K8sObject, objectsOfKind, podSpecOf } from '../src/manifests.js';
import { containerEnvSources, resolveEnv } from '../src/workload-env.js';
import { RELEASE, name, render, renderError, ciFile } from './support/chart-render.js';

describe('hook ordering', () => {
  const hookOf = (object: K8sObject) => ({
    phases: (object.metadata.annotations?.['helm.sh/hook'] ?? '').split(','),
    weight: Number(object.metadata.annotations?.['helm.sh/hook-weight'] ?? '0'),
  });

  // Without the operator, the key-bootstrap hook creates the signing keys.
  const WITHOUT_OPERATOR = { 'operator.enabled': 'false' };

  it('creates the signing keys (with their RBAC first) before migrations, and migrations before the pods on production installs', () => {
    const objects = render({ valuesFiles: [ciFile('production-inline-urls-values.yaml')], set: WITHOUT_OPERATOR });
    const keyJob = findObject(objects, 'Job', name('key-bootstrap'));
    const role = findObject(objects, 'Role', name('key-bootstrap'));
    const binding = findObject(objects, 'RoleBinding', name('key-bootstrap'));
    const account = findObject(objects, 'ServiceAccount', name('key-bootstrap'));
    const hookSecret = findObject(objects, 'Secret', name('migrations'));
    const migrations = objectsOfKind(objects, 'Job').filter((job) => job.metadata.name.endsWith('-migrate'));
    expect(migrations.map((job) => job.metadata.name).sort()).toEqual([name('auth-migrate'), name('chat-socket-migrate'), name('user-migrate')]);
    for (const hook of [keyJob, role, binding, account, hookSecret, ...migrations]) {
      expect(hookOf(hook).phases).toEqual(['pre-install', 'pre-upgrade']);
    }
    expect(hookOf(account).weight).toBeLessThan(hookOf(keyJob).weight);
    expect(hookOf(role).weight).toBeLessThan(hookOf(keyJob).weight);
    expect(hookOf(binding).weight).toBeLessThan(hookOf(keyJob).weight);
    expect(hookOf(hookSecret).weight).toBeLessThan(Math.min(...migrations.map((job) => hookOf(job).weight)));
    expect(hookOf(keyJob).weight).toBeLessThan(Math.min(...migrations.map((job) => hookOf(job).weight)));
    // The migration Jobs read the URL from the hook Secret; the pods from the release's Secret.
    for (const job of migrations) {
      const url = podSpecOf(job)?.containers[0]?.env?.find((entry) => entry.name === 'DATABASE_URL');
      expect(url?.valueFrom?.secretKeyRef?.name).toBe(name('migrations'));
    }
  });

  it('migrates after install in evaluation mode, where PostgreSQL is part of the release', () => {
    const objects = render();
    for (const job of objectsOfKind(objects, 'Job').filter((candidate) => candidate.metadata.name.endsWith('-migrate'))) {
      expect(hookOf(job).phases).toEqual(['post-install', 'pre-upgrade']);
      const url = podSpecOf(job)?.containers[0]?.env?.find((entry) => entry.name === 'DATABASE_URL');
      expect(url?.valueFrom?.secretKeyRef).toEqual({ name: name('datastores'), key: 'database-url' });
    }
    expect(objects.some((object) => object.kind === 'Secret' && object.metadata.name === name('migrations'))).toBe(false);
  });

  it('gives the key-bootstrap Job the Secret name, namespace and labels its CLI reads', () => {
    const objects = render({ set: WITHOUT_OPERATOR });
    const job = findObject(objects, 'Job', name('key-bootstrap'));
    const sources = containerEnvSources(objects, job);
    expect(sources.get('POD_NAMESPACE')).toEqual({ kind: 'field', fieldPath: 'metadata.namespace' });
    const env = { ...resolveEnv(objects, sources), POD_NAMESPACE: 'chat' };
    const settings = readBootstrapSettings(env, () => {
      throw new Error('no namespace file in this test');
    });
    expect(settings).toMatchObject({ name: name('signing-keys'), namespace: 'chat' });
    expect(settings.labels).toMatchObject({ 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/part-of': 'parley' });
    // The auth pods mount the same Secret.
    const auth = findObject(objects, 'Deployment', name('auth'));
    expect(podSpecOf(auth)?.volumes?.find((volume) => volume.name === 'signing-keys')?.secret?.secretName).toBe(settings.name);
  });

  it('lets the key-bootstrap Job read only its own Secret', () => {
    const role = findObject(render({ set: WITHOUT_OPERATOR }), 'Role', name('key-bootstrap'));
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: [name('signing-keys')], verbs: ['get'] },
    ]);
  });

  it('skips the key bootstrap and mounts the given Secret with auth.signingKeys.existingSecret', () => {
    const objects = render({ valuesFiles: [ciFile('production-existing-secrets-values.yaml')] });
    expect(objects.some((object) => object.metadata.name === name('key-bootstrap'))).toBe(false);
    const auth = findObject(objects, 'Deployment', name('auth'));
    const volume = podSpecOf(auth)?.volumes?.find((candidate) => candidate.name === 'signing-keys');
    expect(volume?.secret?.secretName).toBe('parley-signing-keys-managed');
  });
});

describe('values validation', () => {
  it('rejects an unknown key at the top level and inside a component', () => {
    expect(renderError({ set: { replicas: '3' } })).toMatch(/additional properties 'replicas' not allowed/);
    expect(renderError({ set: { 'chatSocket.autoscaling.maxReplica': '3' } })).toMatch(/additional properties 'maxReplica' not allowed/);
  });

  it('rejects a value of the wrong type', () => {
    expect(renderError({ setJson: { 'auth.replicaCount': 'three' } })).toMatch(/auth\/replicaCount.*want integer/);
    expect(renderError({ setJson: { 'ingress.enabled': 'yes' } })).toMatch(/ingress\/enabled.*want boolean/);
    expect(renderError({ set: { 'config.logLevel': 'verbose' } })).toMatch(/config\/logLevel/);
    expect(renderError({ set: { 'externalDatabase.url': 'mysql://db' } })).toMatch(/externalDatabase\/url/);
    expect(renderError({ set: { 'evaluation.postgresql.runAsUser': '0' } })).toMatch(/runAsUser/);
  });

  const FAILURES: [string, RenderOptions, RegExp][] = [
    ['evaluation off without a database', { set: { 'evaluation.enabled': 'false', 'externalRedis.existingSecret': 'r' } }, /needs a PostgreSQL database/],
    ['evaluation off without Redis', { set: { 'evaluation.enabled': 'false', 'externalDatabase.existingSecret': 'd' } }, /needs Redis/],
    ['external stores while evaluation is on', { set: { 'externalDatabase.existingSecret': 'd' } }, /Set evaluation.enabled=false/],
    [
      'both a URL and an existing Secret',
      { set: { 'evaluation.enabled': 'false', 'externalDatabase.url': 'postgres://x', 'externalDatabase.existingSecret': 'd', 'externalRedis.existingSecret': 'r' } },
      /either externalDatabase.url or externalDatabase.existingSecret/,
    ],
    ['an operator without replicas', { set: { 'operator.replicaCount': '0' } }, /operator.replicaCount=0: nothing would create the signing keys/],
    ['TLS without a Secret name', { set: { 'ingress.tls.enabled': 'true' } }, /ingress.tls.secretName/],
    ['KEDA next to the CPU autoscaler', { set: { 'persistenceWorker.keda.enabled': 'true' } }, /both create a HorizontalPodAutoscaler/],
    [
      'KEDA on external Redis without an address',
      {
        set: {
          'evaluation.enabled': 'false',
          'externalDatabase.existingSecret': 'd',
          'externalRedis.existingSecret': 'r',
          'persistenceWorker.keda.enabled': 'true',
          'persistenceWorker.autoscaling.enabled': 'false',
        },
      },
      /keda.redisAddress/,
    ],
    ['a sockets metric without the HPA', { set: { 'chatSocket.autoscaling.enabled': 'false', 'chatSocket.autoscaling.sockets.enabled': 'true' } }, /needs chatSocket.autoscaling.enabled=true/],
    ['more minimum than maximum replicas', { set: { 'user.autoscaling.minReplicas': '5', 'user.autoscaling.maxReplicas': '3' } }, /user.autoscaling.minReplicas \(5\) is above/],
    ['a grace period shorter than the socket drain', { set: { 'chatSocket.terminationGracePeriodSeconds': '10' } }, /chatSocket.terminationGracePeriodSeconds \(10 s\) is shorter/],
  ];

  it.each(FAILURES)('fails with a clear message on %s', (_label, options, message) => {
    const stderr = renderError(options);
    expect(stderr).toMatch(/parley: /);
    expect(stderr).toMatch(message);
  });
});
