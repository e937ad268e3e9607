import { describe, expect, it } from 'vitest';
import { readChartCrds } from '../src/chart-crds.js';
import { helmLint, helmTemplate, type RenderOptions } from '../src/helm.js';
import { fieldChecker, schemaErrors } from '../src/kubernetes-schemas.js';
import { findObject, type K8sObject, objectsOfKind, parseManifests, podSpecOf } from '../src/manifests.js';
import { containerEnvSources, resolveEnv } from '../src/workload-env.js';

const RELEASE = 'parley';
const name = (component: string) => `${RELEASE}-${component}`;

function render(options: RenderOptions = {}): K8sObject[] {
  const result = helmTemplate({ releaseName: RELEASE, ...options });
  if (!result.ok) throw new Error(`helm template failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

interface PlatformSpec {
  selector: { matchLabels: Record<string, string> };
  components: string[];
  auth: { accessTokenTTL: string; signingKeys: { secretName: string; managed: boolean }; keyRotation: Record<string, unknown> };
  sockets: { component: string; adminTokenSecretRef: { name: string; key: string }; rebalance: Record<string, unknown> };
  queues: { component: string };
}
const platformSpec = (objects: K8sObject[]) => findObject(objects, 'ChatPlatform', RELEASE).spec as PlatformSpec;
const podLabels = (deployment: K8sObject) => (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;

describe('the ChatPlatform CRD in crds/', () => {
  const [crd, ...others] = readChartCrds();

  it('is one valid CustomResourceDefinition, installed by Helm before the templates', async () => {
    expect(others).toEqual([]);
    expect(crd?.file).toBe('chatplatforms.parley.dev.yaml');
    expect(await schemaErrors(crd?.object as K8sObject)).toEqual([]);
    // The declarations type `items` and `additionalProperties` of a JSON schema as unions the
    // field walk cannot follow, so it checks the CRD down to openAPIV3Schema (the test below
    // and the custom-object validation cover the schema itself).
    const unknown = fieldChecker().unknownFields(crd?.object as K8sObject);
    expect(unknown.filter((path) => !/\.openAPIV3Schema\..*\.(items|additionalProperties)\./.test(path))).toEqual([]);
    // helm template never renders crds/: the CRD is not part of the release's templates.
    expect(render().some((object) => object.kind === 'CustomResourceDefinition')).toBe(false);
    expect(helmLint().ok).toBe(true);
  });

  it('serves parley.dev/v1alpha1 ChatPlatform with a status subresource and the printer columns of kubectl get', () => {
    const spec = crd?.object.spec as {
      group: string;
      scope: string;
      names: { kind: string; plural: string };
      versions: { name: string; served: boolean; storage: boolean; subresources: unknown; additionalPrinterColumns: { name: string; jsonPath: string; priority?: number }[] }[];
    };
    expect(spec).toMatchObject({ group: 'parley.dev', scope: 'Namespaced', names: { kind: 'ChatPlatform', plural: 'chatplatforms' } });
    const [version] = spec.versions;
    expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
    const columns = (version?.additionalPrinterColumns ?? []).filter((column) => !column.priority).map((column) => [column.name, column.jsonPath]);
    expect(columns).toEqual([
      ['Ready', '.status.conditions[?(@.type=="Ready")].status'],
      ['Components', '.status.readyComponents'],
      ['Sockets', '.status.sockets.total'],
      ['Queue', '.status.queue.waiting'],
      ['Age', '.metadata.creationTimestamp'],
    ]);
  });

  it('has a structural schema: every property typed, defaults only where the operator has them', () => {
    const untyped: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      if (path !== '' && node.type === undefined) untyped.push(path);
      for (const [key, child] of Object.entries((node.properties as Record<string, Record<string, unknown>>) ?? {})) walk(child, `${path}.${key}`);
      if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
      if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as Record<string, unknown>, `${path}.*`);
    };
    walk(crd?.versions[0]?.schema as Record<string, unknown>, '');
    expect(untyped).toEqual([]);
  });
});

describe('the operator in the chart', () => {
  it('renders by default: Deployment, ServiceAccount, Role, RoleBinding, Service, ConfigMap and the ChatPlatform, and no key-bootstrap hook', () => {
    const objects = render();
    for (const kind of ['Deployment', 'ServiceAccount', 'Role', 'RoleBinding', 'Service', 'ConfigMap']) findObject(objects, kind, name('operator'));
    findObject(objects, 'ChatPlatform', RELEASE);
    expect(objects.filter((object) => object.metadata.name === name('key-bootstrap'))).toEqual([]);
    expect(objectsOfKind(objects, 'ClusterRole')).toEqual([]);
    expect(objectsOfKind(objects, 'ClusterRoleBinding')).toEqual([]);
  });

  it('brings the key-bootstrap hook back, and renders nothing of the operator, with operator.enabled=false', () => {
    const objects = render({ set: { 'operator.enabled': 'false' } });
    expect(objects.filter((object) => object.metadata.name === name('operator') || object.kind === 'ChatPlatform')).toEqual([]);
    findObject(objects, 'Job', name('key-bootstrap'));
  });

  it('points the ChatPlatform at the Secret the auth pods mount, the admin token chat-socket checks, and the release\'s pods', () => {
    const objects = render();
    const spec = platformSpec(objects);
    const auth = findObject(objects, 'Deployment', name('auth'));
    expect(podSpecOf(auth)?.volumes?.find((volume) => volume.name === 'signing-keys')?.secret?.secretName).toBe(spec.auth.signingKeys.secretName);
    expect(spec.auth.signingKeys).toEqual({ secretName: name('signing-keys'), managed: true });

    const socketEnv = containerEnvSources(objects, findObject(objects, 'Deployment', name('chat-socket')));
    expect(socketEnv.get('ADMIN_API_TOKEN')).toEqual({ kind: 'secret', ...spec.sockets.adminTokenSecretRef });

    // The selector and component labels find exactly the release's workloads.
    const deployments = objectsOfKind(objects, 'Deployment').filter((deployment) =>
      Object.entries(spec.selector.matchLabels).every(([key, value]) => podLabels(deployment)[key] === value),
    );
    const components = deployments.map((deployment) => podLabels(deployment)['app.kubernetes.io/component']).sort();
    expect(components).toEqual([...spec.components, 'operator'].sort());
    expect(spec.components).toContain('web');
    for (const component of [spec.sockets.component, spec.queues.component]) expect(components).toContain(component);
    // Without the web client, the ChatPlatform does not wait for web pods that never come.
    const withoutWeb = platformSpec(render({ set: { 'web.enabled': 'false' } }));
    expect(withoutWeb.components).not.toContain('web');
    expect(withoutWeb.components).toEqual(spec.components.filter((component) => component !== 'web'));
  });

  it('passes the rotation and rebalancing values, and the auth access-token lifetime, to the ChatPlatform', () => {
    const spec = platformSpec(
      render({
        set: {
          'operator.keyRotation.interval': '7d',
          'operator.keyRotation.publishAhead': '15m',
          'operator.socketRebalance.window': '5m',
          'auth.env.ACCESS_TOKEN_TTL_SECONDS': '600',
        },
        setJson: { 'operator.socketRebalance.maxImbalance': 1.5 },
      }),
    );
    expect(spec.auth.accessTokenTTL).toBe('600s');
    expect(spec.auth.keyRotation).toEqual({ enabled: true, interval: '7d', publishAhead: '15m', retirementMargin: '10m' });
    expect(spec.sockets.rebalance).toEqual({ enabled: true, maxImbalance: 1.5, window: '5m', maxShedPerMinute: 300, batchSize: 50, minExcess: 10 });
    expect(platformSpec(render()).auth.accessTokenTTL).toBe('900s');
  });

  it('only reports on a Secret brought with auth.signingKeys.existingSecret', () => {
    const spec = platformSpec(render({ set: { 'auth.signingKeys.existingSecret': 'my-keys' } }));
    expect(spec.auth.signingKeys).toEqual({ secretName: 'my-keys', managed: false });
  });

  it('rejects values the CRD would reject', () => {
    const result = helmTemplate({ releaseName: RELEASE, set: { 'operator.keyRotation.interval': 'monthly' } });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/operator\/keyRotation\/interval/);
    expect(helmTemplate({ releaseName: RELEASE, set: { 'operator.socketRebalance.maxImbalance': '0.5' } }).stderr).toMatch(/maxImbalance/);
  });

  it('grants the least RBAC: a Role in the release namespace, the Lease by name, no delete, no cluster scope', () => {
    const objects = render();
    const role = findObject(objects, 'Role', name('operator'));
    expect(role.metadata.namespace).toBe('chat');
    const rules = role.rules as { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
    const verbsOn = (resource: string) => rules.filter((rule) => rule.resources.includes(resource)).flatMap((rule) => rule.verbs).sort();
    expect(verbsOn('chatplatforms')).toEqual(['get', 'list', 'patch', 'watch']);
    expect(verbsOn('chatplatforms/status')).toEqual(['get', 'patch', 'update']);
    expect(verbsOn('chatplatforms/finalizers')).toEqual(['update']);
    expect(verbsOn('secrets')).toEqual(['create', 'get', 'list', 'update', 'watch']);
    expect(verbsOn('pods')).toEqual(['get', 'list', 'watch']);
    expect(verbsOn('deployments')).toEqual(['get', 'list', 'watch']);
    expect(rules.flatMap((rule) => rule.verbs)).not.toContain('delete');
    expect(rules.flatMap((rule) => rule.resources)).not.toContain('*');
    const leaseName = resolveEnv(objects, containerEnvSources(objects, findObject(objects, 'Deployment', name('operator')))).LEADER_ELECTION_LEASE_NAME;
    expect(leaseName).toBe(name('operator'));
    expect(rules.find((rule) => rule.resources.includes('leases') && rule.verbs.includes('update'))?.resourceNames).toEqual([leaseName]);
    const binding = findObject(objects, 'RoleBinding', name('operator'));
    expect(binding).toMatchObject({ roleRef: { kind: 'Role', name: name('operator') }, subjects: [{ kind: 'ServiceAccount', name: name('operator'), namespace: 'chat' }] });
  });

  it('moves the platform rules to a ClusterRole and watches every namespace with operator.clusterScoped', async () => {
    const objects = render({ set: { 'operator.clusterScoped': 'true' } });
    const clusterRole = findObject(objects, 'ClusterRole', `chat-${name('operator')}`);
    expect((clusterRole.rules as { resources: string[] }[]).flatMap((rule) => rule.resources)).toContain('chatplatforms');
    const role = findObject(objects, 'Role', name('operator'));
    expect((role.rules as { resources: string[] }[]).flatMap((rule) => rule.resources)).toEqual(['leases', 'leases']);
    findObject(objects, 'ClusterRoleBinding', `chat-${name('operator')}`);
    const env = resolveEnv(objects, containerEnvSources(objects, findObject(objects, 'Deployment', name('operator'))));
    expect(env.WATCH_NAMESPACE).toBe('*');
    for (const object of [clusterRole, role]) expect(await schemaErrors(object)).toEqual([]);
  });

  it('runs the operator with its own token, its namespace and pod name, and a restricted pod', () => {
    const objects = render();
    const deployment = findObject(objects, 'Deployment', name('operator'));
    const pod = podSpecOf(deployment);
    expect(pod?.automountServiceAccountToken).toBe(true);
    expect(pod?.serviceAccountName).toBe(name('operator'));
    expect(findObject(objects, 'ServiceAccount', name('operator')).automountServiceAccountToken).toBe(false);
    const sources = containerEnvSources(objects, deployment);
    expect(sources.get('POD_NAMESPACE')).toEqual({ kind: 'field', fieldPath: 'metadata.namespace' });
    expect(sources.get('POD_NAME')).toEqual({ kind: 'field', fieldPath: 'metadata.name' });
    expect((deployment.spec as { replicas: number }).replicas).toBe(1);
    expect(pod?.containers[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });
});
