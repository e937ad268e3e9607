import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findObject, type K8sObject, objectsOfKind } from '../src/manifests.js';
import { REPO_ROOT } from '../src/repo-paths.js';
import { name, render, renderError, ciFile } from './support/chart-render.js';

interface MetricSpec {
  type: string;
  resource?: { name: string };
  pods?: { metric: { name: string }; target: { type: string; averageValue: string } };
}
const metricsOf = (hpa: K8sObject) => (hpa.spec as { metrics: MetricSpec[] }).metrics;
const readRepoFile = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

describe('autoscaling metrics', () => {
  it('renders five CPU HPAs by default, whose metrics come from metrics-server (documented for kind, k3d and minikube)', () => {
    const hpas = objectsOfKind(render(), 'HorizontalPodAutoscaler');
    expect(hpas.map((hpa) => hpa.metadata.name).sort()).toEqual(['auth', 'chat-socket', 'persistence-worker', 'user', 'web'].map(name).sort());
    for (const hpa of hpas) expect(metricsOf(hpa), hpa.metadata.name).toEqual([expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) })]);
    const quickstart = readRepoFile('k8s/README.md');
    expect(quickstart).toMatch(/helm upgrade --install metrics-server metrics-server\/metrics-server[^\n]*\n?[^\n]*--kubelet-insecure-tls/);
    expect(quickstart).toContain('minikube addons enable metrics-server');
    expect(quickstart).toContain('kubectl top pods');
  });

  describe('connected sockets per pod through prometheus-adapter', () => {
    const objects = render({ set: { 'chatSocket.autoscaling.sockets.enabled': 'true' } });
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', name('chat-socket'));

    it('adds a Pods metric to the chat-socket HPA', () => {
      expect(metricsOf(hpa)).toContainEqual({
        type: 'Pods',
        pods: { metric: { name: 'parley_socket_connected' }, target: { type: 'AverageValue', averageValue: '2000' } },
      });
    });

    it('is served by the adapter rule in k8s/prometheus-adapter-values.yaml, from the gauge chat-socket exports, per pod and namespace', () => {
      const adapter = parse(readRepoFile('k8s/prometheus-adapter-values.yaml')) as {
        rules: { custom: { seriesQuery: string; name: { as: string }; resources: { overrides: Record<string, { resource: string }> } }[] };
      };
      const rule = adapter.rules.custom.find((candidate) => candidate.name.as === 'parley_socket_connected');
      expect(rule?.seriesQuery).toMatch(/^parley_socket_connected\{/);
      expect(rule?.resources.overrides).toEqual({ namespace: { resource: 'namespace' }, pod: { resource: 'pod' } });
      expect(readRepoFile('services/chat-socket/src/observability/chat-metrics.ts')).toContain("name: 'parley_socket_connected'");
    });
  });

  describe('connected sockets per pod through KEDA (chatSocket.autoscaling.sockets.provider=keda)', () => {
    const objects = render({ valuesFiles: [ciFile('keda-sockets-values.yaml')] });

    it('renders a ScaledObject with a CPU and a Prometheus trigger instead of the chat-socket HPA', () => {
      expect(objectsOfKind(objects, 'HorizontalPodAutoscaler').map((hpa) => hpa.metadata.name)).not.toContain(name('chat-socket'));
      const scaledObject = findObject(objects, 'ScaledObject', name('chat-socket'));
      expect(scaledObject.spec).toMatchObject({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: name('chat-socket') },
        minReplicaCount: 2,
        maxReplicaCount: 20,
        triggers: [
          { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } },
          {
            type: 'prometheus',
            metricType: 'AverageValue',
            metadata: {
              serverAddress: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090',
              query: 'sum(parley_socket_connected{namespace="chat",service="chat-socket"})',
              threshold: '3000',
            },
          },
        ],
      });
      // Replicas are KEDA's: an upgrade must not reset them.
      expect((findObject(objects, 'Deployment', name('chat-socket')).spec as { replicas?: number }).replicas).toBeUndefined();
    });

    it('keeps the HPA\'s slow, one-pod-at-a-time scale-down', () => {
      const hpaBehavior = (findObject(render(), 'HorizontalPodAutoscaler', name('chat-socket')).spec as { behavior: unknown }).behavior;
      const kedaBehavior = (findObject(objects, 'ScaledObject', name('chat-socket')).spec as { advanced: { horizontalPodAutoscalerConfig: { behavior: unknown } } })
        .advanced.horizontalPodAutoscalerConfig.behavior;
      expect(kedaBehavior).toEqual(hpaBehavior);
    });

    it('queries the series the ServiceMonitor scrapes with the service label kept', () => {
      const monitor = findObject(objects, 'ServiceMonitor', name('chat-socket'));
      expect((monitor.spec as { endpoints: { honorLabels: boolean }[] }).endpoints[0]?.honorLabels).toBe(true);
    });

    it('refuses the sockets metric without chat-socket autoscaling, and an unknown provider', () => {
      expect(renderError({ set: { 'chatSocket.autoscaling.enabled': 'false', 'chatSocket.autoscaling.sockets.enabled': 'true' } })).toContain(
        'chatSocket.autoscaling.sockets.enabled needs chatSocket.autoscaling.enabled=true',
      );
      expect(renderError({ set: { 'chatSocket.autoscaling.sockets.provider': 'hpa-magic' } })).toContain('provider');
    });
  });
});
