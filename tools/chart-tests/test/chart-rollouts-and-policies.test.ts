import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helmTemplate, runHelm } from '../src/helm.js';
import { findObject, type K8sObject, objectsOfKind, podSpecOf } from '../src/manifests.js';
import { REPO_ROOT } from '../src/repo-paths.js';
import { containerEnvSources, resolveEnv } from '../src/workload-env.js';
import { RELEASE, name, render, ciFile } from './support/chart-render.js';

describe('rollouts on configuration changes', () => {
  const checksums = (objects: K8sObject[]) =>
    Object.fromEntries(
      objectsOfKind(objects, 'Deployment').map((deployment) => {
        const annotations = (deployment.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
        return [deployment.metadata.name, { config: annotations['checksum/config'], secrets: annotations['checksum/secrets'] }];
      }),
    );

  it('changes every checksum/config when a shared config value changes, and stays put otherwise', () => {
    const before = checksums(render());
    expect(checksums(render())).toEqual(before);
    const after = checksums(render({ set: { 'config.logLevel': 'debug' } }));
    for (const deployment of Object.keys(before)) {
      expect(after[deployment]?.config, deployment).not.toBe(before[deployment]?.config);
      expect(after[deployment]?.secrets).toBe(before[deployment]?.secrets);
    }
  });

  it("changes only one component's checksum when its own env changes", () => {
    const before = checksums(render());
    const after = checksums(render({ set: { 'auth.env.ACCESS_TOKEN_TTL_SECONDS': '600' } }));
    expect(after[name('auth')]?.config).not.toBe(before[name('auth')]?.config);
    expect(after[name('user')]?.config).toBe(before[name('user')]?.config);
  });

  it('changes checksum/secrets when a Secret reference changes', () => {
    const base = { 'evaluation.enabled': 'false', 'externalDatabase.existingSecret': 'db-a', 'externalRedis.existingSecret': 'redis' };
    const before = checksums(render({ set: base }));
    const after = checksums(render({ set: { ...base, 'externalDatabase.existingSecret': 'db-b' } }));
    expect(after[name('user')]?.secrets).not.toBe(before[name('user')]?.secrets);
  });
});

describe('generated secrets', () => {
  const secretData = (objects: K8sObject[], secret: string) =>
    Object.fromEntries(
      Object.entries((findObject(objects, 'Secret', secret).data as Record<string, string>) ?? {}).map(([key, value]) => [
        key,
        Buffer.from(value, 'base64').toString('utf8'),
      ]),
    );

  it('generates data-store passwords and service tokens, different on every fresh install', () => {
    const first = render();
    const second = render();
    const a = secretData(first, name('datastores'));
    const b = secretData(second, name('datastores'));
    expect(a['postgres-password']?.length).toBeGreaterThanOrEqual(32);
    expect(a['redis-password']?.length).toBeGreaterThanOrEqual(32);
    expect(a['postgres-password']).not.toBe(b['postgres-password']);
    expect(a['database-url']).toBe(`postgres://parley:${a['postgres-password']}@${name('postgresql')}:5432/parley`);
    expect(a['redis-url']).toBe(`redis://:${a['redis-password']}@${name('redis')}:6379`);
    expect(a['redis-auth.conf']).toBe(`requirepass ${a['redis-password']}\n`);
    const tokensA = secretData(first, name('internal-api'));
    const tokensB = secretData(second, name('internal-api'));
    expect(tokensA['internal-api-token']?.length).toBeGreaterThanOrEqual(32);
    expect(tokensA['internal-api-token']).not.toBe(tokensB['internal-api-token']);
    expect(tokensA['admin-api-token']).not.toBe(tokensA['internal-api-token']);
  });

  it('never puts a private signing key into the rendered release', () => {
    const rendered = helmTemplate({ releaseName: RELEASE }).stdout;
    expect(rendered).not.toMatch(/"d"\s*:/);
    expect(rendered).not.toMatch(/PRIVATE KEY/);
  });
});

describe('chat-socket termination and scaling', () => {
  it('sleeps before SIGTERM and leaves time for the reconnect announcement and the drain', () => {
    const objects = render();
    const deployment = findObject(objects, 'Deployment', name('chat-socket'));
    const pod = podSpecOf(deployment);
    const container = pod?.containers[0];
    expect(container?.lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    const env = resolveEnv(objects, containerEnvSources(objects, deployment));
    const graceMs = Number(pod?.terminationGracePeriodSeconds) * 1000;
    expect(graceMs).toBeGreaterThan(5_000 + Number(env.SHUTDOWN_TIMEOUT_MS) + 1_000);
  });

  it('adds the connected-sockets Pods metric when asked', () => {
    const hpa = findObject(render({ valuesFiles: [ciFile('platform-features-values.yaml')] }), 'HorizontalPodAutoscaler', name('chat-socket'));
    expect((hpa.spec as { metrics: unknown[] }).metrics).toContainEqual({
      type: 'Pods',
      pods: { metric: { name: 'parley_socket_connected' }, target: { type: 'AverageValue', averageValue: '5000' } },
    });
  });

  it('scales the worker with KEDA on the BullMQ wait list instead of a CPU HPA', () => {
    const objects = render({ valuesFiles: [ciFile('platform-features-values.yaml')], set: { 'config.redisKeyPrefix': 'prod:' } });
    const scaledObject = findObject(objects, 'ScaledObject', name('persistence-worker'));
    expect(scaledObject.spec).toMatchObject({
      scaleTargetRef: { name: name('persistence-worker') },
      triggers: [{ type: 'redis', metadata: { listName: 'prod:bull:messages:wait', address: `${name('redis')}.chat.svc:6379` } }],
    });
    expect(objects.some((object) => object.kind === 'HorizontalPodAutoscaler' && object.metadata.name === name('persistence-worker'))).toBe(false);
    const deployment = findObject(objects, 'Deployment', name('persistence-worker'));
    expect((deployment.spec as { replicas?: number }).replicas).toBeUndefined();
  });
});

describe('NOTES.txt', () => {
  it('tells how to reach the platform and how to test it', () => {
    const install = runHelm(['install', RELEASE, join(REPO_ROOT, 'charts', 'parley'), '--dry-run=client', '--namespace', 'chat']);
    expect(install.ok, install.stderr).toBe(true);
    const notes = install.stdout.slice(install.stdout.indexOf('NOTES:'));
    expect(notes).toContain('http://parley.localtest.me/socket.io');
    expect(notes).toContain(`helm test ${RELEASE} -n chat`);
    expect(notes).toContain('EVALUATION MODE');
  });

  it('gives port-forwards when the ingress is off', () => {
    const install = runHelm([
      'install', RELEASE, join(REPO_ROOT, 'charts', 'parley'), '--dry-run=client', '--namespace', 'chat', '--set', 'ingress.enabled=false',
    ]);
    expect(install.stdout.slice(install.stdout.indexOf('NOTES:'))).toContain(`kubectl -n chat port-forward svc/${name('auth')} 8081`);
  });

  // The default render must keep working (evaluation installs run 2+ chat-socket pods), so
  // unshared local attachment storage is a warning, not a failure of the render.
  const notesWith = (...sets: string[]): string => {
    const install = runHelm(['install', RELEASE, join(REPO_ROOT, 'charts', 'parley'), '--dry-run=client', '--namespace', 'chat', ...sets.flatMap((set) => ['--set', set])]);
    expect(install.ok, install.stderr).toBe(true);
    return install.stdout.slice(install.stdout.indexOf('NOTES:'));
  };

  it('warns that attachments are not shared when several pods keep them in local emptyDirs (the default)', () => {
    expect(notesWith()).toContain('ATTACHMENTS ARE NOT SHARED BETWEEN PODS');
    expect(notesWith('chatSocket.autoscaling.enabled=false', 'chatSocket.replicaCount=3')).toContain('chat-socket runs 3 pods');
  });

  it('does not warn with S3 storage, a shared claim, or a single pod', () => {
    expect(notesWith('chatSocket.attachments.storage=s3', 'chatSocket.attachments.s3.bucket=files')).not.toContain('ATTACHMENTS ARE NOT SHARED');
    expect(notesWith('chatSocket.attachments.local.existingClaim=parley-files')).not.toContain('ATTACHMENTS ARE NOT SHARED');
    expect(notesWith('chatSocket.autoscaling.enabled=false', 'chatSocket.replicaCount=1')).not.toContain('ATTACHMENTS ARE NOT SHARED');
  });
});
