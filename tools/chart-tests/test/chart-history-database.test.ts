import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { type RenderOptions } from '../src/helm.js';
import { findObject, type K8sObject, objectsOfKind, podSpecOf } from '../src/manifests.js';
import { REPO_ROOT } from '../src/repo-paths.js';
import { containerEnvSources, resolveEnv } from '../src/workload-env.js';
import { name, render, renderError, ciFile } from './support/chart-render.js';

/**
 * The history database values: message retention (the persistence worker's
 * MESSAGE_RETENTION_DAYS) and the read replica chat-socket reads history from
 * (DATABASE_READ_URL, never in a ConfigMap).
 */

const EXISTING_SECRETS = ciFile('production-existing-secrets-values.yaml');
const INLINE_URLS = ciFile('production-inline-urls-values.yaml');
const REPLICA_URL = 'postgres://parley:example-password@postgres-replica.databases.svc:5433/parley?sslmode=require';

/** External stores from Secrets, without any replica: the base the cases below add to. */
const PRODUCTION: Record<string, string> = {
  'evaluation.enabled': 'false',
  'externalDatabase.existingSecret': 'parley-database',
  'externalRedis.existingSecret': 'parley-redis',
};

const envOf = (objects: K8sObject[], component: string) => containerEnvSources(objects, findObject(objects, 'Deployment', name(component)));

/** One variable of a service's built configSchema (`npm run build` first), to check a rendered value against. */
async function serviceVariable(service: string, variable: string): Promise<z.ZodType> {
  const module = (await import(pathToFileURL(join(REPO_ROOT, 'services', service, 'dist', 'config.js')).href)) as { configSchema: z.ZodObject };
  const schema = module.configSchema.shape[variable];
  if (!schema) throw new Error(`services/${service} reads no ${variable}`);
  return schema as z.ZodType;
}

/** Every workload's pod (Deployments and Jobs, hooks included) that receives the variable. */
function workloadsWith(objects: K8sObject[], variable: string): string[] {
  return objects
    .filter((object) => ['Deployment', 'StatefulSet', 'Job'].includes(object.kind))
    .filter((object) => (podSpecOf(object)?.containers ?? []).some((container) => container.env?.some((entry) => entry.name === variable)))
    .map((object) => object.metadata.name)
    .sort();
}

describe('message retention (persistenceWorker.messageRetentionDays)', () => {
  it('keeps every message by default and gives the worker the days set', () => {
    const defaults = render();
    expect(resolveEnv(defaults, envOf(defaults, 'persistence-worker')).MESSAGE_RETENTION_DAYS).toBe('0');
    const objects = render({ set: { 'persistenceWorker.messageRetentionDays': '90' } });
    expect(envOf(objects, 'persistence-worker').get('MESSAGE_RETENTION_DAYS')).toEqual({ kind: 'value', value: '90' });
    // Only the worker drops partitions.
    for (const component of ['auth', 'user', 'chat-socket']) expect(envOf(objects, component).has('MESSAGE_RETENTION_DAYS'), component).toBe(false);
  });

  it('shows it in the production values', () => {
    const objects = render({ valuesFiles: [EXISTING_SECRETS] });
    expect(resolveEnv(objects, envOf(objects, 'persistence-worker')).MESSAGE_RETENTION_DAYS).toBe('365');
  });

  it('gives a value the worker accepts', async () => {
    const variable = await serviceVariable('persistence-worker', 'MESSAGE_RETENTION_DAYS');
    const objects = render({ valuesFiles: [EXISTING_SECRETS] });
    expect(variable.safeParse(resolveEnv(objects, envOf(objects, 'persistence-worker')).MESSAGE_RETENTION_DAYS)).toMatchObject({ success: true, data: 365 });
  });

  it('refuses a negative or fractional number of days', () => {
    for (const days of ['-1', '1.5']) expect(renderError({ set: { 'persistenceWorker.messageRetentionDays': days } }), days).toMatch(/messageRetentionDays/);
    expect(renderError({ setJson: { 'persistenceWorker.messageRetentionDays': '30' } })).toMatch(/messageRetentionDays.*want integer/);
  });
});

describe('a read replica for history (externalDatabase.readReplica)', () => {
  it('is not configured by default: chat-socket reads history from the primary', () => {
    for (const objects of [render(), render({ set: PRODUCTION })]) {
      expect(workloadsWith(objects, 'DATABASE_READ_URL')).toEqual([]);
      const secret = objects.find((object) => object.kind === 'Secret' && object.metadata.name === name('datastores'));
      expect(Object.keys((secret?.data as Record<string, string> | undefined) ?? {})).not.toContain('database-read-url');
    }
  });

  it('from an existing Secret: reaches chat-socket only, as a secretKeyRef to that Secret', () => {
    const objects = render({ valuesFiles: [EXISTING_SECRETS] });
    expect(envOf(objects, 'chat-socket').get('DATABASE_READ_URL')).toEqual({ kind: 'secret', name: 'parley-database-ro', key: 'uri' });
    expect(workloadsWith(objects, 'DATABASE_READ_URL')).toEqual([name('chat-socket')]);
    // Nothing for the chart to hold: no Secret of its own is rendered for the URLs.
    expect(objects.some((object) => object.kind === 'Secret' && object.metadata.name === name('datastores'))).toBe(false);
  });

  it('from an existing Secret without urlKey: reads its `database-read-url` key', () => {
    const objects = render({ set: { ...PRODUCTION, 'externalDatabase.readReplica.existingSecret': 'replica' } });
    expect(envOf(objects, 'chat-socket').get('DATABASE_READ_URL')).toEqual({ kind: 'secret', name: 'replica', key: 'database-read-url' });
  });

  it('given inline: is put in the chart\'s Secret, never in a ConfigMap, and chat-socket reads it from there', async () => {
    const objects = render({ valuesFiles: [INLINE_URLS] });
    const sources = envOf(objects, 'chat-socket');
    expect(sources.get('DATABASE_READ_URL')).toEqual({ kind: 'secret', name: name('datastores'), key: 'database-read-url' });
    expect(resolveEnv(objects, sources).DATABASE_READ_URL).toBe(REPLICA_URL);
    expect((await serviceVariable('chat-socket', 'DATABASE_READ_URL')).safeParse(REPLICA_URL).success).toBe(true);
    expect(resolveEnv(objects, sources).DATABASE_URL).not.toBe(REPLICA_URL);
    expect(workloadsWith(objects, 'DATABASE_READ_URL')).toEqual([name('chat-socket')]);
    for (const configMap of objectsOfKind(objects, 'ConfigMap')) {
      expect(JSON.stringify(configMap.data ?? {}), configMap.metadata.name).not.toContain('example-password');
    }
  });

  it('rolls the pods that read the data-store Secrets when it changes', () => {
    const checksumOf = (options: RenderOptions) =>
      (findObject(render(options), 'Deployment', name('chat-socket')).spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata
        .annotations['checksum/secrets'];
    const before = checksumOf({ set: PRODUCTION });
    expect(checksumOf({ set: { ...PRODUCTION, 'externalDatabase.readReplica.existingSecret': 'replica' } })).not.toBe(before);
  });

  const FAILURES: [string, RenderOptions, RegExp][] = [
    [
      'both a URL and an existing Secret',
      { set: { ...PRODUCTION, 'externalDatabase.readReplica.url': 'postgres://replica/parley', 'externalDatabase.readReplica.existingSecret': 'replica' } },
      /parley: set either externalDatabase.readReplica.url or externalDatabase.readReplica.existingSecret, not both/,
    ],
    [
      'a replica of the evaluation PostgreSQL (URL)',
      { set: { 'externalDatabase.readReplica.url': 'postgres://replica/parley' } },
      /parley: externalDatabase.readReplica is set while evaluation.enabled=true, whose single PostgreSQL has no replica/,
    ],
    [
      'a replica of the evaluation PostgreSQL (Secret)',
      { set: { 'externalDatabase.readReplica.existingSecret': 'replica' } },
      /parley: externalDatabase.readReplica is set while evaluation.enabled=true/,
    ],
    ['a URL that is not PostgreSQL\'s', { set: { ...PRODUCTION, 'externalDatabase.readReplica.url': 'mysql://replica/parley' } }, /externalDatabase\/readReplica\/url/],
    ['a key that is not a Secret key', { set: { ...PRODUCTION, 'externalDatabase.readReplica.existingSecret': 'replica', 'externalDatabase.readReplica.urlKey': 'a key' } }, /readReplica\/urlKey/],
  ];

  it.each(FAILURES)('fails with a clear message on %s', (_label, options, message) => {
    expect(renderError(options)).toMatch(message);
  });
});

describe('network policies with a read replica', () => {
  interface Rule {
    to?: { ipBlock?: { cidr: string }; namespaceSelector?: { matchLabels?: Record<string, string> } }[];
    ports?: { port: number }[];
  }
  /** Egress rules outside the release's pods and DNS, as `peer:port` (peer: an ipBlock, a namespace, or `any`). */
  const externalEgress = (objects: K8sObject[], component: string) =>
    ((findObject(objects, 'NetworkPolicy', name(component)).spec as { egress?: Rule[] }).egress ?? [])
      .flatMap((rule) => {
        const peers = rule.to?.map((peer) => (peer.ipBlock ? `ip/${peer.ipBlock.cidr}` : peer.namespaceSelector ? `ns/${peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name']}` : 'release')) ?? ['any'];
        return peers.flatMap((peer) => (rule.ports ?? []).map((port) => `${peer}:${port.port}`));
      })
      .filter((entry) => !entry.startsWith('release:') && !entry.endsWith(':53'))
      .sort();

  it('adds no rule when the primary\'s peers and port already cover the replica (a CloudNativePG `-ro` Service)', () => {
    const objects = render({ valuesFiles: [EXISTING_SECRETS] });
    expect(externalEgress(objects, 'chat-socket')).toEqual(['ip/10.20.0.0/24:6380', 'ns/databases:5432']);
  });

  it('lets chat-socket alone reach a replica at its own peers and port', () => {
    const objects = render({
      valuesFiles: [EXISTING_SECRETS],
      set: { 'networkPolicy.externalDatabase.readReplica.port': '6432' },
      setJson: { 'networkPolicy.externalDatabase.readReplica.to': [{ ipBlock: { cidr: '10.30.0.0/24' } }] },
    });
    expect(externalEgress(objects, 'chat-socket')).toEqual(['ip/10.20.0.0/24:6380', 'ip/10.30.0.0/24:6432', 'ns/databases:5432']);
    for (const component of ['auth', 'user', 'persistence-worker', 'migrate']) expect(externalEgress(objects, component).join(), component).not.toContain('10.30.0.0');
  });

  it('keeps the primary\'s peers on the replica\'s own port when only the port differs', () => {
    const objects = render({ valuesFiles: [EXISTING_SECRETS], set: { 'networkPolicy.externalDatabase.readReplica.port': '6432' } });
    expect(externalEgress(objects, 'chat-socket')).toEqual(['ip/10.20.0.0/24:6380', 'ns/databases:5432', 'ns/databases:6432']);
  });

  it('takes the port of an inline replica URL', () => {
    const objects = render({ valuesFiles: [INLINE_URLS], set: { 'networkPolicy.enabled': 'true' } });
    expect(externalEgress(objects, 'chat-socket')).toEqual(['any:5432', 'any:5433', 'any:6380']);
    expect(externalEgress(objects, 'persistence-worker')).toEqual(['any:5432', 'any:6380']);
  });
});
