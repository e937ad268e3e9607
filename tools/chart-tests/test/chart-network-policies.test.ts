import { describe, expect, it } from 'vitest';
import { findObject, type K8sObject, objectsOfKind } from '../src/manifests.js';
import { RELEASE, name, render, ciFile } from './support/chart-render.js';

/**
 * The NetworkPolicy matrix, read back from the rendered policies: who may reach each pod
 * (ingress) and where each pod may go (egress), as `peer:port` strings. Peers: a component of
 * the release (`auth`), a namespace (`ns/monitoring`), DNS (`dns`), an ipBlock (`ip/<cidr>`), or
 * `any` (no `to`: any destination, on the listed ports only).
 */
interface Peer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port: number | string; protocol?: string }[];
}
interface PolicySpec {
  podSelector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; values: string[] }[] };
  policyTypes: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

function peerName(peer: Peer): string {
  const component = peer.podSelector?.matchLabels?.['app.kubernetes.io/component'];
  const namespace = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
  if (peer.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns') return 'dns';
  if (component && !namespace) {
    expect(peer.podSelector?.matchLabels?.['app.kubernetes.io/instance'], 'a component peer is of this release').toBe(RELEASE);
    return component;
  }
  if (peer.ipBlock) return `ip/${peer.ipBlock.cidr}`;
  if (namespace && component) return `ns/${namespace}/${component}`;
  if (namespace) return `ns/${namespace}${peer.podSelector ? '/selected' : ''}`;
  throw new Error(`unexpected peer ${JSON.stringify(peer)}`);
}

function flatten(rules: Rule[] | undefined, direction: 'from' | 'to'): string[] {
  return (rules ?? [])
    .flatMap((rule) => {
      const peers = rule[direction]?.map(peerName) ?? ['any'];
      const ports = rule.ports?.map((port) => `${port.port}${port.protocol === 'UDP' ? '/udp' : ''}`) ?? ['*'];
      return peers.flatMap((peer) => ports.map((port) => `${peer}:${port}`));
    })
    .sort();
}

const specOf = (objects: K8sObject[], policy: string) => findObject(objects, 'NetworkPolicy', policy).spec as PolicySpec;
const ingressOf = (objects: K8sObject[], policy: string) => flatten(specOf(objects, policy).ingress, 'from');
const egressOf = (objects: K8sObject[], policy: string) => flatten(specOf(objects, policy).egress, 'to');

const DNS = ['dns:53', 'dns:53/udp'];
const EVALUATION_STORES = ['postgresql:5432', 'redis:6379'];
const OTLP = ['any:4318'];

describe('network policies: the least-privilege matrix (evaluation mode, every add-on on)', () => {
  const objects = render({ valuesFiles: [ciFile('platform-features-values.yaml')] });

  it('restrict both directions of every pod the release runs', () => {
    const policies = objectsOfKind(objects, 'NetworkPolicy');
    for (const policy of policies) expect((policy.spec as PolicySpec).policyTypes, policy.metadata.name).toEqual(['Ingress', 'Egress']);
    const selected = new Set(
      policies.flatMap((policy) => {
        const selector = (policy.spec as PolicySpec).podSelector;
        return [selector.matchLabels?.['app.kubernetes.io/component'], ...(selector.matchExpressions?.flatMap((expression) => expression.values) ?? [])];
      }),
    );
    const podComponents = objects
      .filter((object) => ['Deployment', 'StatefulSet', 'Job'].includes(object.kind))
      .map((object) => (object.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels['app.kubernetes.io/component']);
    expect(podComponents.filter((component) => !selected.has(component))).toEqual([]);
  });

  it('admits to each pod only its actual callers', () => {
    expect(ingressOf(objects, name('auth'))).toEqual(['chat-socket:http', 'ns/ingress-nginx:http', 'ns/monitoring:metrics', 'smoke-test:http', 'user:http']);
    expect(ingressOf(objects, name('user'))).toEqual(['auth:http', 'chat-socket:http', 'ns/ingress-nginx:http', 'ns/monitoring:metrics', 'persistence-worker:http']);
    expect(ingressOf(objects, name('chat-socket'))).toEqual(['auth:http', 'ns/ingress-nginx:http', 'ns/monitoring:metrics', 'operator:http', 'smoke-test:http']);
    // No HTTP caller at all: the operator and Prometheus read the admin port.
    expect(ingressOf(objects, name('persistence-worker'))).toEqual(['ns/monitoring:metrics', 'operator:metrics']);
    expect(ingressOf(objects, name('web'))).toEqual(['ns/ingress-nginx:http', 'ns/monitoring:metrics']);
    expect(ingressOf(objects, name('operator'))).toEqual(['ns/monitoring:http']);
    expect(ingressOf(objects, name('postgresql'))).toEqual(
      ['auth', 'auth-migrate', 'chat-socket', 'chat-socket-migrate', 'persistence-worker', 'user', 'user-migrate'].map((peer) => `${peer}:postgresql`).sort(),
    );
    expect(ingressOf(objects, name('redis'))).toEqual(['auth:redis', 'chat-socket:redis', 'ns/keda:redis', 'persistence-worker:redis', 'user:redis']);
    // Hook pods take no connections.
    for (const policy of ['migrate', 'smoke-test']) expect(ingressOf(objects, name(policy)), policy).toEqual([]);
  });

  it('lets each pod go only where it calls: DNS, its data stores, the services it calls, the OTLP collector', () => {
    expect(egressOf(objects, name('auth'))).toEqual([...DNS, ...OTLP, ...EVALUATION_STORES, 'chat-socket:8083', 'user:8082'].sort());
    expect(egressOf(objects, name('user'))).toEqual([...DNS, ...OTLP, ...EVALUATION_STORES, 'auth:8081'].sort());
    expect(egressOf(objects, name('chat-socket'))).toEqual([...DNS, ...OTLP, ...EVALUATION_STORES, 'auth:8081', 'user:8082'].sort());
    // No SMTP Secret in this file: no SMTP egress.
    expect(egressOf(objects, name('persistence-worker'))).toEqual([...DNS, ...OTLP, ...EVALUATION_STORES, 'user:8082'].sort());
    expect(egressOf(objects, name('web'))).toEqual([...DNS, ...OTLP].sort());
    expect(egressOf(objects, name('operator'))).toEqual([...DNS, ...OTLP, 'any:443', 'any:6443', 'chat-socket:8083', 'persistence-worker:9467'].sort());
    expect(egressOf(objects, name('postgresql'))).toEqual([]);
    expect(egressOf(objects, name('redis'))).toEqual([]);
    expect(egressOf(objects, name('migrate'))).toEqual([...DNS, 'postgresql:5432'].sort());
    expect(egressOf(objects, name('smoke-test'))).toEqual([...DNS, 'auth:8081', 'chat-socket:8083'].sort());
  });

  it('allows every call the services are configured to make (each *_URL to another component), in both directions', () => {
    const components = ['auth', 'user', 'chat-socket', 'persistence-worker', 'web', 'operator'];
    const calls: [string, string, string][] = [];
    for (const caller of components) {
      const data = findObject(objects, 'ConfigMap', name(caller)).data as Record<string, string>;
      for (const [key, value] of Object.entries(data)) {
        if (!key.endsWith('_URL') || !value.startsWith('http://')) continue;
        const host = new URL(value).hostname;
        const callee = components.find((component) => host === name(component));
        if (callee) calls.push([caller, callee, key]);
      }
    }
    expect(calls.map(([caller, callee]) => `${caller}→${callee}`).sort()).toEqual(['auth→chat-socket', 'auth→user', 'chat-socket→auth', 'chat-socket→user', 'persistence-worker→user', 'user→auth']);
    for (const [caller, callee, key] of calls) {
      const port = (findObject(objects, 'Deployment', name(callee)).spec as { template: { spec: { containers: { ports: { name: string; containerPort: number }[] }[] } } })
        .template.spec.containers[0]!.ports.find((candidate) => candidate.name === 'http')!.containerPort;
      expect(egressOf(objects, name(caller)), `${caller} ${key}`).toContain(`${callee}:${port}`);
      expect(ingressOf(objects, name(callee)), `${callee} from ${caller}`).toContain(`${caller}:http`);
    }
  });

  it('puts the hook pods\' policies in place before those pods run', () => {
    const migrate = findObject(objects, 'NetworkPolicy', name('migrate'));
    const job = findObject(objects, 'Job', name('auth-migrate'));
    expect(migrate.metadata.annotations?.['helm.sh/hook']).toBe(job.metadata.annotations?.['helm.sh/hook']);
    expect(Number(migrate.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(Number(job.metadata.annotations?.['helm.sh/hook-weight']));
    const smoke = findObject(objects, 'NetworkPolicy', name('smoke-test'));
    expect(smoke.metadata.annotations?.['helm.sh/hook']).toBe('test');
  });

  it('drops a disabled component from every list', () => {
    const withoutOperator = render({ valuesFiles: [ciFile('platform-features-values.yaml')], set: { 'operator.enabled': 'false' } });
    expect(objectsOfKind(withoutOperator, 'NetworkPolicy').map((policy) => policy.metadata.name)).not.toContain(name('operator'));
    expect(ingressOf(withoutOperator, name('chat-socket'))).toEqual(['auth:http', 'ns/ingress-nginx:http', 'ns/monitoring:metrics', 'smoke-test:http']);
    expect(ingressOf(withoutOperator, name('persistence-worker'))).toEqual(['ns/monitoring:metrics']);
    // Without the operator the key-bootstrap hook Job creates the keys: API server and DNS only.
    expect(egressOf(withoutOperator, name('key-bootstrap'))).toEqual([...DNS, 'any:443', 'any:6443'].sort());
    expect(ingressOf(withoutOperator, name('key-bootstrap'))).toEqual([]);
    expect(findObject(withoutOperator, 'NetworkPolicy', name('key-bootstrap')).metadata.annotations?.['helm.sh/hook-weight']).toBe('-28');
  });

  it('renders no NetworkPolicy unless enabled', () => {
    expect(objectsOfKind(render(), 'NetworkPolicy')).toEqual([]);
  });
});

describe('network policies in production mode (external PostgreSQL, Redis and SMTP)', () => {
  const objects = render({ valuesFiles: [ciFile('production-existing-secrets-values.yaml')] });

  it('reach the external data stores, SMTP and the API server only at the peers and ports the values give', () => {
    const stores = ['ns/databases/selected:5432', 'ip/10.20.0.0/24:6380'];
    expect(egressOf(objects, name('auth'))).toEqual([...DNS, ...stores, 'chat-socket:8083', 'user:8082'].sort());
    expect(egressOf(objects, name('persistence-worker'))).toEqual([...DNS, ...stores, 'ip/192.0.2.25/32:587', 'user:8082'].sort());
    expect(egressOf(objects, name('operator'))).toEqual([...DNS, 'ip/172.18.0.2/32:6443', 'chat-socket:8083', 'persistence-worker:9467'].sort());
    expect(egressOf(objects, name('migrate'))).toEqual([...DNS, 'ns/databases/selected:5432'].sort());
    expect(objectsOfKind(objects, 'NetworkPolicy').map((policy) => policy.metadata.name)).not.toContain(name('postgresql'));
  });

  it('keep SMTP closed without an SMTP Secret, and allow any destination on the data stores\' ports (from inline URLs) when no peers are given', () => {
    const noPeers = render({
      valuesFiles: [ciFile('production-inline-urls-values.yaml')],
      set: { 'networkPolicy.enabled': 'true' },
    });
    // rediss://…:6380 in the values: the port comes from the URL.
    expect(egressOf(noPeers, name('persistence-worker'))).toEqual([...DNS, 'any:5432', 'any:6380', 'user:8082'].sort());
  });

  it('appends networkPolicy.extraEgress to every service', () => {
    const extra = render({
      valuesFiles: [ciFile('production-existing-secrets-values.yaml')],
      setJson: { 'networkPolicy.extraEgress': [{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 8200, protocol: 'TCP' }] }] },
    });
    for (const component of ['auth', 'user', 'chat-socket', 'persistence-worker', 'web', 'operator']) {
      expect(egressOf(extra, name(component)), component).toContain('ip/198.51.100.0/24:8200');
    }
  });
});
