import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { helmTemplate } from '../../chart-tests/src/helm.js';
import { findObject, type K8sObject, parseManifests, podSpecOf } from '../../chart-tests/src/manifests.js';
import { CHART_CI_DIR } from '../../chart-tests/src/repo-paths.js';

/** The chart's side of the admin port: what Prometheus scrapes, and who may reach it. */
describe('the Helm chart scrapes each service on its metrics port', () => {
  const components = ['auth', 'user', 'chat-socket', 'persistence-worker'];
  let objects: K8sObject[];

  beforeAll(() => {
    const rendered = helmTemplate({
      releaseName: 'parley',
      valuesFiles: [join(CHART_CI_DIR, 'platform-features-values.yaml')],
      set: { 'metrics.serviceMonitor.enabled': 'true', 'networkPolicy.enabled': 'true' },
    });
    if (!rendered.ok) throw new Error(rendered.stderr);
    objects = parseManifests(rendered.stdout);
  });

  it.each(components)('%s: METRICS_PORT is the container port `metrics`, which its Service exposes as `metrics`', (component) => {
    const deployment = findObject(objects, 'Deployment', `parley-${component}`);
    const container = podSpecOf(deployment)!.containers[0]!;
    const metricsPort = container.ports?.find((port) => port.name === 'metrics')?.containerPort;
    expect(metricsPort).toBeGreaterThan(0);
    const configMap = findObject(objects, 'ConfigMap', `parley-${component}`);
    expect((configMap.data as Record<string, string>).METRICS_PORT).toBe(String(metricsPort));
    const service = findObject(objects, 'Service', `parley-${component}`);
    expect((service.spec as { ports: Array<{ name: string; targetPort: string }> }).ports).toContainEqual(expect.objectContaining({ name: 'metrics', targetPort: 'metrics' }));
  });

  it.each(components)('%s: the ServiceMonitor scrapes /metrics on `metrics` and keeps the series’ service label', (component) => {
    const monitor = findObject(objects, 'ServiceMonitor', `parley-${component}`);
    expect((monitor.spec as { endpoints: unknown[] }).endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics', honorLabels: true })]);
  });

  it.each(components)('%s: only the monitoring namespace (and, for the worker, the operator) may reach the metrics port', (component) => {
    type Peer = { namespaceSelector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } };
    type Rule = { from: Peer[]; ports: Array<{ port: string }> };
    const rules = (findObject(objects, 'NetworkPolicy', `parley-${component}`).spec as { ingress: Rule[] }).ingress;
    const toMetrics = rules.filter((rule) => rule.ports.some((port) => port.port === 'metrics'));
    const namespaces = toMetrics.flatMap((rule) => rule.from.flatMap((peer) => (peer.namespaceSelector ? [peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name']] : [])));
    const pods = toMetrics.flatMap((rule) => rule.from.flatMap((peer) => (peer.podSelector ? [peer.podSelector.matchLabels['app.kubernetes.io/component']] : [])));
    expect(namespaces).toEqual(['monitoring']);
    // The operator reads the worker's queue depths from /metrics.
    expect(pods.sort()).toEqual(component === 'persistence-worker' ? ['operator'] : []);
    // …and the monitoring namespace reaches nothing else.
    const fromMonitoring = rules.filter((rule) => rule.from.some((peer) => peer.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'monitoring'));
    expect(fromMonitoring.flatMap((rule) => rule.ports.map((port) => port.port))).toEqual(['metrics']);
  });
});
