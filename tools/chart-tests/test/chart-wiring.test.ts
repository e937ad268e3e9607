import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { INGRESS_ROUTES } from '../../launcher/src/ingress-routes.js';
import { readBootstrapSettings } from '../../key-bootstrap/src/bootstrap-settings.js';
import { helmTemplate, runHelm, type RenderOptions } from '../src/helm.js';
import { findObject, type K8sObject, objectsOfKind, parseManifests, podSpecOf } from '../src/manifests.js';
import { CHART_CI_DIR, REPO_ROOT } from '../src/repo-paths.js';
import { containerEnvSources, resolveEnv } from '../src/workload-env.js';

const RELEASE = 'parley';
const name = (component: string) => `${RELEASE}-${component}`;

function render(options: RenderOptions = {}): K8sObject[] {
  const result = helmTemplate({ releaseName: RELEASE, ...options });
  if (!result.ok) throw new Error(`helm template failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

function renderError(options: RenderOptions): string {
  const result = helmTemplate({ releaseName: RELEASE, ...options });
  expect(result.ok, 'helm template should have failed').toBe(false);
  return result.stderr;
}

const ciFile = (file: string) => join(CHART_CI_DIR, file);

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
}
interface IngressPath {
  path: string;
  pathType: string;
  backend: { service: { name: string; port: { name?: string; number?: number } } };
}

const ingressPaths = (ingress: K8sObject): IngressPath[] =>
  ((ingress.spec as { rules: { http: { paths: IngressPath[] } }[] }).rules ?? []).flatMap((rule) => rule.http.paths);

/** The workload a Service selects (a Deployment or StatefulSet whose pod labels match). */
function selectedWorkload(objects: K8sObject[], service: K8sObject): K8sObject | undefined {
  const selector = (service.spec as { selector: Record<string, string> }).selector;
  return objects.find((object) => {
    if (!['Deployment', 'StatefulSet'].includes(object.kind)) return false;
    const labels = (object.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
  });
}

describe('ingress, service and container ports', () => {
  const cases: [string, string[]][] = [
    ['defaults', []],
    ['web and TLS', [ciFile('ingress-tls-values.yaml')]],
  ];

  it.each(cases)('line up with %s: every Ingress backend names a Service port that targets a containerPort', (_label, valuesFiles) => {
    const objects = render({ valuesFiles });
    const ingresses = objectsOfKind(objects, 'Ingress');
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ingress of ingresses) {
      for (const path of ingressPaths(ingress)) {
        const where = `${ingress.metadata.name} ${path.path}`;
        const service = findObject(objects, 'Service', path.backend.service.name);
        const ports = (service.spec as { ports: ServicePort[] }).ports;
        const servicePort = ports.find((port) =>
          path.backend.service.port.name ? port.name === path.backend.service.port.name : port.port === path.backend.service.port.number,
        );
        expect(servicePort, `${where}: Service port`).toBeDefined();
        const workload = selectedWorkload(objects, service);
        expect(workload, `${where}: a workload behind ${service.metadata.name}`).toBeDefined();
        const containerPorts = (podSpecOf(workload as K8sObject)?.containers ?? []).flatMap((container) => container.ports ?? []);
        const target = servicePort?.targetPort ?? servicePort?.port;
        const matched = containerPorts.find((port) => (typeof target === 'string' ? port.name === target : port.containerPort === target));
        expect(matched, `${where}: containerPort for targetPort ${String(target)}`).toBeDefined();
      }
    }
  });

  it('gives every Service a workload with the targeted containerPort', () => {
    const objects = render({ valuesFiles: [ciFile('ingress-tls-values.yaml')] });
    for (const service of objectsOfKind(objects, 'Service')) {
      const workload = selectedWorkload(objects, service);
      expect(workload, service.metadata.name).toBeDefined();
      const containerPorts = (podSpecOf(workload as K8sObject)?.containers ?? []).flatMap((container) => container.ports ?? []);
      for (const port of (service.spec as { ports: ServicePort[] }).ports) {
        expect(containerPorts.some((candidate) => candidate.name === port.targetPort || candidate.containerPort === port.targetPort)).toBe(true);
      }
    }
  });

  it("routes exactly the launcher's public path table (the local gateway of npm start)", () => {
    const componentOf = (serviceName: string) => serviceName.replace(`${RELEASE}-`, '');
    const routed = (objects: K8sObject[]) =>
      objectsOfKind(objects, 'Ingress')
        .flatMap(ingressPaths)
        .map((path) => ({ prefix: path.path, service: componentOf(path.backend.service.name) }))
        .sort((a, b) => a.prefix.localeCompare(b.prefix));
    const expected = INGRESS_ROUTES.map((route) => ({ prefix: route.prefix, service: route.service })).sort((a, b) =>
      a.prefix.localeCompare(b.prefix),
    );
    // The web client is on by default: `/` goes to it, exactly as the launcher routes it.
    expect(expected).toContainEqual({ prefix: '/', service: 'web' });
    expect(routed(render())).toEqual(expected);
    expect(routed(render({ valuesFiles: [ciFile('ingress-tls-values.yaml')] }))).toEqual(expected);
    // Without the web client, everything but `/`.
    expect(routed(render({ set: { 'web.enabled': 'false' } }))).toEqual(expected.filter((route) => route.service !== 'web'));
    for (const path of objectsOfKind(render(), 'Ingress').flatMap(ingressPaths)) expect(path.pathType).toBe('Prefix');
  });

  it('never routes internal endpoints, admin endpoints or metrics', () => {
    const paths = objectsOfKind(render({ valuesFiles: [ciFile('ingress-tls-values.yaml')] }), 'Ingress').flatMap(ingressPaths);
    for (const path of paths) {
      expect(path.path).not.toMatch(/^\/(internal|admin|metrics|healthz|readyz)(\/|$)/);
      if (path.path === '/') expect(path.backend.service.name).toBe(name('web'));
    }
  });

  it('keeps WebSocket timeouts above the socket.io heartbeat, and affinity and TLS when asked', () => {
    const socketIngress = findObject(render(), 'Ingress', name('chat-socket'));
    const annotations = socketIngress.metadata.annotations ?? {};
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThan(45);
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThan(45);
    expect(annotations['nginx.ingress.kubernetes.io/affinity']).toBeUndefined();

    const tls = render({ valuesFiles: [ciFile('ingress-tls-values.yaml')] });
    const withAffinity = findObject(tls, 'Ingress', name('chat-socket'));
    expect(withAffinity.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/affinity': 'cookie',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '7200',
      'cert-manager.io/cluster-issuer': 'letsencrypt',
    });
    for (const ingress of objectsOfKind(tls, 'Ingress')) {
      expect(ingress.spec).toMatchObject({ tls: [{ secretName: 'chat-example-org-tls', hosts: ['chat.example.org'] }] });
    }
  });
});

/** The services whose environment the chart must satisfy, with their Deployment names. */
const SERVICES = [
  { dir: 'auth', deployment: name('auth'), config: 'dist/config.js' },
  { dir: 'user', deployment: name('user'), config: 'dist/config.js' },
  { dir: 'chat-socket', deployment: name('chat-socket'), config: 'dist/config.js' },
  { dir: 'persistence-worker', deployment: name('persistence-worker'), config: 'dist/config.js' },
  // Its server compiles to dist-server/ (the Vite bundle is dist/).
  { dir: 'web', deployment: name('web'), config: 'dist-server/config.js' },
  { dir: 'operator', deployment: name('operator'), config: 'dist/config.js' },
];

interface ServiceSchema {
  schema: z.ZodObject;
  required: string[];
  known: Set<string>;
}

/** The service's exported configSchema (from its build), with what it requires at start. */
async function loadServiceSchema(dir: string, config: string): Promise<ServiceSchema | undefined> {
  const serviceDir = join(REPO_ROOT, 'services', dir);
  if (!existsSync(serviceDir)) return undefined;
  const configFile = join(serviceDir, config);
  if (!existsSync(configFile)) throw new Error(`${configFile} is missing: run \`npm run build\` first`);
  const module = (await import(pathToFileURL(configFile).href)) as { configSchema?: z.ZodObject };
  if (!module.configSchema) throw new Error(`services/${dir}/${config} exports no configSchema`);
  const json = z.toJSONSchema(module.configSchema, { io: 'input', unrepresentable: 'any' }) as {
    required?: string[];
    properties?: Record<string, unknown>;
  };
  return { schema: module.configSchema, required: json.required ?? [], known: new Set(Object.keys(json.properties ?? {})) };
}

describe.each(SERVICES)('the environment of $dir', ({ dir, deployment, config }) => {
  let service: ServiceSchema | undefined;
  let objects: K8sObject[];

  beforeAll(async () => {
    service = await loadServiceSchema(dir, config);
    objects = render();
  });

  it('sets every variable the service requires at start (no default, not optional)', () => {
    if (!service) return;
    const sources = containerEnvSources(objects, findObject(objects, 'Deployment', deployment));
    expect(service.required.filter((variable) => !sources.has(variable))).toEqual([]);
  });

  it('sets no variable the service does not read', () => {
    if (!service) return;
    const sources = containerEnvSources(objects, findObject(objects, 'Deployment', deployment));
    const known = service.known;
    expect([...sources.keys()].filter((variable) => !known.has(variable))).toEqual([]);
  });

  it('gives values the service accepts', () => {
    if (!service) return;
    const env = resolveEnv(objects, containerEnvSources(objects, findObject(objects, 'Deployment', deployment)));
    const result = service.schema.safeParse(env);
    expect(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([]);
  });

  it('runs its migration Job, if it owns a schema, with an environment its config accepts', () => {
    if (!service) return;
    const job = objects.find((object) => object.kind === 'Job' && object.metadata.name === `${deployment}-migrate`);
    if (dir === 'persistence-worker' || dir === 'web' || dir === 'operator') {
      expect(job).toBeUndefined(); // no schema of its own (chat-socket migrates the shared chat schema; the operator has no database)
      return;
    }
    expect(job).toBeDefined();
    const container = podSpecOf(job as K8sObject)?.containers[0];
    expect(container?.command).toEqual(['node', `services/${dir}/dist/migrate.js`]);
    expect(existsSync(join(REPO_ROOT, 'services', dir, 'src', 'migrate.ts'))).toBe(true);
    const env = resolveEnv(objects, containerEnvSources(objects, job as K8sObject));
    expect(service.schema.safeParse(env).success).toBe(true);
  });
});

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

describe('network policies', () => {
  type Peer = { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: { matchLabels: Record<string, string> } };
  const peersOf = (objects: K8sObject[], policy: string) =>
    ((findObject(objects, 'NetworkPolicy', policy).spec as { ingress: { from: Peer[] }[] }).ingress ?? []).flatMap((rule) => rule.from);
  const componentsAllowed = (peers: Peer[]) =>
    peers.map((peer) => peer.podSelector?.matchLabels['app.kubernetes.io/component']).filter((component): component is string => !!component);

  it('lets services reach each other only where needed', () => {
    const objects = render({ valuesFiles: [ciFile('platform-features-values.yaml')] });
    expect(componentsAllowed(peersOf(objects, name('auth'))).sort()).toEqual(['chat-socket', 'persistence-worker', 'smoke-test', 'user']);
    expect(componentsAllowed(peersOf(objects, name('user'))).sort()).toEqual(['auth', 'chat-socket', 'smoke-test']);
    // The operator calls chat-socket's /admin endpoints and reads the worker's queue depths.
    expect(componentsAllowed(peersOf(objects, name('chat-socket')))).toEqual(['operator', 'smoke-test']);
    expect(componentsAllowed(peersOf(objects, name('persistence-worker')))).toEqual(['operator', 'smoke-test']);
    expect(componentsAllowed(peersOf(objects, name('operator')))).toEqual(['smoke-test']);
    const withoutOperator = render({ valuesFiles: [ciFile('platform-features-values.yaml')], set: { 'operator.enabled': 'false' } });
    expect(componentsAllowed(peersOf(withoutOperator, name('chat-socket')))).toEqual(['smoke-test']);
  });

  it('admits the ingress controller to the public services only, and the monitoring namespace everywhere', () => {
    const objects = render({ valuesFiles: [ciFile('platform-features-values.yaml')] });
    const fromIngress = (policy: string) =>
      peersOf(objects, policy).some((peer) => peer.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'ingress-nginx');
    const fromMonitoring = (policy: string) =>
      peersOf(objects, policy).some((peer) => peer.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'monitoring');
    for (const component of ['auth', 'user', 'chat-socket']) expect(fromIngress(name(component)), component).toBe(true);
    expect(fromIngress(name('persistence-worker'))).toBe(false);
    for (const component of ['auth', 'user', 'chat-socket', 'persistence-worker', 'operator']) expect(fromMonitoring(name(component)), component).toBe(true);
    expect(fromIngress(name('operator'))).toBe(false);
  });

  it('lets only Parley pods of the release reach the evaluation PostgreSQL and Redis', () => {
    const objects = render({ valuesFiles: [ciFile('platform-features-values.yaml')] });
    expect(peersOf(objects, name('postgresql'))).toEqual([
      { podSelector: { matchLabels: { 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/part-of': 'parley' } } },
    ]);
    const redisPeers = peersOf(objects, name('redis'));
    expect(redisPeers[0]).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/part-of': 'parley' } } });
    expect(redisPeers[1]).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } } });
  });

  it('renders no NetworkPolicy unless enabled', () => {
    expect(objectsOfKind(render(), 'NetworkPolicy')).toEqual([]);
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
});
