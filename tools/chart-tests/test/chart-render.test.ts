import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { helmLint, helmTemplate } from '../src/helm.js';
import { fieldChecker, schemaErrors } from '../src/kubernetes-schemas.js';
import { isHook, type K8sObject, objectId, parseManifests, podSpecOf } from '../src/manifests.js';
import { podSecurityViolations } from '../src/pod-security.js';
import { CHART_CI_DIR } from '../src/repo-paths.js';

/** The defaults plus every values file under charts/parley/ci. */
const CASES: [string, string[]][] = [
  ['chart defaults', []],
  ...readdirSync(CHART_CI_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file): [string, string[]] => [`ci/${file}`, [join(CHART_CI_DIR, file)]]),
];

const STANDARD_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
  'helm.sh/chart',
];

/** Names of Secrets a values file says exist already (every `existingSecret` and KEDA's password Secret). */
function declaredExternalSecrets(files: string[]): Set<string> {
  const names = new Set<string>();
  const walk = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if ((key === 'existingSecret' || key === 'redisPasswordSecret') && typeof child === 'string' && child) names.add(child);
      walk(child);
    }
  };
  for (const file of files) walk(parse(readFileSync(file, 'utf8')));
  return names;
}

describe.each(CASES)('the chart rendered with %s', (_label, valuesFiles) => {
  let objects: K8sObject[];

  beforeAll(() => {
    const rendered = helmTemplate({ valuesFiles });
    expect(rendered.stderr).toBe('');
    expect(rendered.ok).toBe(true);
    objects = parseManifests(rendered.stdout);
  });

  it('passes helm lint --strict', () => {
    const lint = helmLint({ valuesFiles });
    expect(lint.stdout + lint.stderr).toContain('0 chart(s) failed');
    expect(lint.ok).toBe(true);
  });

  it('renders only objects that validate against their Kubernetes, Prometheus Operator and KEDA schemas', async () => {
    const problems: string[] = [];
    for (const object of objects) {
      for (const error of await schemaErrors(object)) problems.push(`${objectId(object)}: ${error}`);
    }
    expect(problems).toEqual([]);
  });

  it('renders no field that those schemas do not define', () => {
    const checker = fieldChecker();
    const unknown = objects.flatMap((object) => checker.unknownFields(object).map((path) => `${objectId(object)}: ${path}`));
    expect(unknown).toEqual([]);
  });

  it('gives no two objects of a kind the same name', () => {
    const ids = objects.map(objectId);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it('runs every pod under the restricted Pod Security Standard with a read-only root filesystem', () => {
    const violations = objects.flatMap((object) => {
      const pod = podSpecOf(object);
      return pod ? podSecurityViolations(pod).map((violation) => `${objectId(object)}: ${violation}`) : [];
    });
    expect(objects.some((object) => podSpecOf(object))).toBe(true);
    expect(violations).toEqual([]);
  });

  it('labels every object with the app.kubernetes.io set and helm.sh/chart', () => {
    const missing = objects.flatMap((object) =>
      STANDARD_LABELS.filter((label) => !object.metadata.labels?.[label]).map((label) => `${objectId(object)}: ${label}`),
    );
    expect(missing).toEqual([]);
    const workloads = objects.filter((object) => ['Deployment', 'StatefulSet'].includes(object.kind));
    for (const workload of workloads) expect(workload.metadata.labels?.['app.kubernetes.io/component']).toBeTruthy();
  });

  it('mounts a service account token only into the key-bootstrap Job and the operator (the two that call the Kubernetes API)', () => {
    const withToken = objects.filter((object) => {
      const pod = podSpecOf(object);
      return pod && pod.automountServiceAccountToken !== false;
    });
    expect(withToken.map(objectId).filter((id) => !id.endsWith('-key-bootstrap') && !/^Deployment\/.*-operator$/.test(id))).toEqual([]);
    for (const account of objects.filter((object) => object.kind === 'ServiceAccount')) {
      expect(account.automountServiceAccountToken).toBe(false);
    }
  });

  it('gives every service container probes, resources and a named http port (and the services with an admin port a `metrics` port)', () => {
    // auth, user, chat-socket, persistence-worker and web serve /metrics on METRICS_PORT only.
    const withAdminPort = /-(auth|user|chat-socket|persistence-worker|web)$/;
    for (const deployment of objects.filter((object) => object.kind === 'Deployment')) {
      const container = podSpecOf(deployment)?.containers[0];
      expect(container?.livenessProbe, objectId(deployment)).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
      expect(container?.readinessProbe, objectId(deployment)).toMatchObject({ httpGet: { path: '/readyz', port: 'http' } });
      expect(container?.resources, objectId(deployment)).toMatchObject({ requests: { cpu: expect.anything(), memory: expect.anything() } });
      expect(container?.ports?.map((port) => port.name), objectId(deployment)).toEqual(withAdminPort.test(deployment.metadata.name) ? ['http', 'metrics'] : ['http']);
      expect(podSpecOf(deployment)?.topologySpreadConstraints).toBeDefined();
    }
  });

  it('refers only to Secrets and ConfigMaps it renders or that the values declare as existing', () => {
    const rendered = new Set(objects.filter((object) => ['Secret', 'ConfigMap'].includes(object.kind)).map((object) => object.metadata.name));
    const external = declaredExternalSecrets(valuesFiles);
    // The signing-key Secret is created by the key-bootstrap hook Job or by the operator, not rendered.
    for (const job of objects.filter((object) => object.metadata.name.endsWith('-key-bootstrap') && object.kind === 'Job')) {
      const env = podSpecOf(job)?.containers[0]?.env ?? [];
      const name = env.find((entry) => entry.name === 'SIGNING_KEYS_SECRET')?.value;
      if (name) external.add(name);
    }
    for (const platform of objects.filter((object) => object.kind === 'ChatPlatform')) {
      const keys = (platform.spec as { auth: { signingKeys: { secretName: string; managed: boolean } } }).auth.signingKeys;
      if (keys.managed) external.add(keys.secretName);
    }
    const missing: string[] = [];
    for (const object of objects) {
      const pod = podSpecOf(object);
      if (!pod) continue;
      const referenced = new Set<string>();
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        for (const entry of container.env ?? []) {
          const ref = entry.valueFrom?.secretKeyRef ?? entry.valueFrom?.configMapKeyRef;
          if (ref) referenced.add(ref.name);
        }
        for (const from of container.envFrom ?? []) {
          const name = from.configMapRef?.name ?? from.secretRef?.name;
          if (name) referenced.add(name);
        }
      }
      for (const volume of pod.volumes ?? []) {
        const name = volume.secret?.secretName ?? volume.configMap?.name;
        if (name) referenced.add(name);
      }
      for (const name of referenced) if (!rendered.has(name) && !external.has(name)) missing.push(`${objectId(object)} → ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('only annotates hooks with phases and delete policies Helm knows', () => {
    const phases = new Set(['pre-install', 'post-install', 'pre-upgrade', 'post-upgrade', 'test']);
    for (const hook of objects.filter(isHook)) {
      const annotations = hook.metadata.annotations ?? {};
      for (const phase of (annotations['helm.sh/hook'] ?? '').split(',')) expect(phases, objectId(hook)).toContain(phase);
      expect(annotations['helm.sh/hook-delete-policy'], objectId(hook)).toContain('before-hook-creation');
      expect(Number.isInteger(Number(annotations['helm.sh/hook-weight'] ?? '0'))).toBe(true);
    }
  });
});
