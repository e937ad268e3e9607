import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { ComponentStatus } from '../api/chat-platform-status.js';

/** The label that names a Parley component on its Deployment and pods. */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';

const matchesSelector = (labels: Record<string, string> | undefined, selector: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

/** Replica counts per component, from the platform's Deployments (undefined: no Deployment). */
export function componentStatuses(deployments: readonly V1Deployment[], selector: Record<string, string>): Record<string, ComponentStatus> {
  const result: Record<string, ComponentStatus> = {};
  for (const deployment of deployments) {
    const labels = deployment.metadata?.labels;
    const component = labels?.[COMPONENT_LABEL];
    if (!component || !matchesSelector(labels, selector)) continue;
    result[component] = {
      replicas: deployment.spec?.replicas ?? 1,
      readyReplicas: deployment.status?.readyReplicas ?? 0,
      updatedReplicas: deployment.status?.updatedReplicas ?? 0,
    };
  }
  return result;
}

const isReady = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp &&
  pod.status?.phase === 'Running' &&
  !!pod.status.podIP &&
  (pod.status.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');

/** Running, ready, not terminating pods of one component, by name. */
export function readyComponentPods(pods: readonly V1Pod[], selector: Record<string, string>, component: string): V1Pod[] {
  return pods
    .filter((pod) => matchesSelector(pod.metadata?.labels, selector) && pod.metadata?.labels?.[COMPONENT_LABEL] === component && isReady(pod))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/**
 * `http://<pod IP>:<port named portName>` (IPv6 addresses bracketed). Services serve their API
 * (and chat-socket's admin endpoints) on the port named `http`, and `/metrics` on the admin
 * port named `metrics`.
 */
export function podBaseUrl(pod: V1Pod, portName: 'http' | 'metrics' = 'http'): string | undefined {
  const ip = pod.status?.podIP;
  const port = pod.spec?.containers.flatMap((container) => container.ports ?? []).find((candidate) => candidate.name === portName)?.containerPort;
  if (!ip || !port) return undefined;
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}
