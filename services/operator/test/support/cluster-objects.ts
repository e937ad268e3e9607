import type { FakeKubeStore, KubeObject } from './fake-kube-store.js';

/**
 * Objects a real cluster's controllers would write (the deployment controller's status, the
 * kubelet's pod status), put straight into the fake API server's store, plus the ChatPlatform
 * the chart installs.
 */
export const NAMESPACE = 'chat';
export const RELEASE = 'parley';
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

export const selectorLabels = { 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/name': 'parley' };
const labelsOf = (component: string) => ({ ...selectorLabels, 'app.kubernetes.io/part-of': 'parley', 'app.kubernetes.io/component': component });

export interface PlatformSpecOverrides {
  keyRotation?: Record<string, unknown>;
  rebalance?: Record<string, unknown>;
  accessTokenTTL?: string;
  managed?: boolean;
  components?: string[];
  adminTokenSecretRef?: { name: string; key: string } | null;
}

export function chatPlatform(overrides: PlatformSpecOverrides = {}, name = RELEASE): KubeObject {
  const adminRef = overrides.adminTokenSecretRef === undefined ? { name: `${RELEASE}-internal-api`, key: 'admin-api-token' } : overrides.adminTokenSecretRef;
  return {
    apiVersion: 'parley.dev/v1alpha1',
    kind: 'ChatPlatform',
    metadata: { name, namespace: NAMESPACE, labels: labelsOf('operator') },
    spec: {
      selector: { matchLabels: selectorLabels },
      ...(overrides.components ? { components: overrides.components } : {}),
      auth: {
        ...(overrides.accessTokenTTL ? { accessTokenTTL: overrides.accessTokenTTL } : {}),
        signingKeys: { secretName: `${RELEASE}-signing-keys`, ...(overrides.managed !== undefined ? { managed: overrides.managed } : {}) },
        ...(overrides.keyRotation ? { keyRotation: overrides.keyRotation } : {}),
      },
      sockets: {
        ...(adminRef ? { adminTokenSecretRef: adminRef } : {}),
        ...(overrides.rebalance ? { rebalance: overrides.rebalance } : {}),
      },
    },
  };
}

export function internalApiSecret(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${RELEASE}-internal-api`, namespace: NAMESPACE, labels: labelsOf('platform') },
    data: { 'admin-api-token': Buffer.from(ADMIN_TOKEN).toString('base64'), 'internal-api-token': Buffer.from('internal-token-0123456789').toString('base64') },
  };
}

export function deployment(component: string, replicas: number, readyReplicas: number, updatedReplicas = replicas): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${RELEASE}-${component}`, namespace: NAMESPACE, labels: labelsOf(component) },
    spec: { replicas, selector: { matchLabels: { ...selectorLabels, 'app.kubernetes.io/component': component } } },
    status: { replicas, readyReplicas, updatedReplicas, availableReplicas: readyReplicas },
  };
}

/** A pod whose stand-in serves both the API (`http`) and `/metrics` (`metrics`) on `port`, unless `metricsPort` differs. */
export function pod(component: string, name: string, port: number, ready = true, metricsPort = port): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: labelsOf(component) },
    spec: {
      containers: [
        {
          name: component,
          image: `parley/${component}:test`,
          ports: [
            { name: 'http', containerPort: port, protocol: 'TCP' },
            { name: 'metrics', containerPort: metricsPort, protocol: 'TCP' },
          ],
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: '127.0.0.1',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

/** Every default component's Deployment, fully ready. */
export function putReadyDeployments(store: FakeKubeStore, replicas = 2): void {
  for (const component of ['auth', 'user', 'chat-socket', 'persistence-worker']) store.put(deployment(component, replicas, replicas));
}
