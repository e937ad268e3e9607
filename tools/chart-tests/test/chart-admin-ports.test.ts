import { describe, expect, it } from 'vitest';
import { findObject, type K8sObject, objectsOfKind, podSpecOf } from '../src/manifests.js';
import { name, render, ciFile } from './support/chart-render.js';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
}
interface IngressPath {
  path: string;
  backend: { service: { name: string; port: { name?: string; number?: number } } };
}

const SERVICES = ['auth', 'user', 'chat-socket', 'persistence-worker', 'web'];

describe('admin (metrics) ports', () => {
  const objects = render({ valuesFiles: [ciFile('platform-features-values.yaml')], set: { 'metrics.serviceMonitor.enabled': 'true' } });

  it('are never behind an Ingress route: every backend is a Service port that targets a container `http` port', () => {
    for (const ingress of objectsOfKind(objects, 'Ingress')) {
      const paths = ((ingress.spec as { rules: { http: { paths: IngressPath[] } }[] }).rules ?? []).flatMap((rule) => rule.http.paths);
      for (const path of paths) {
        const service = findObject(objects, 'Service', path.backend.service.name);
        const port = (service.spec as { ports: ServicePort[] }).ports.find((candidate) =>
          path.backend.service.port.name ? candidate.name === path.backend.service.port.name : candidate.port === path.backend.service.port.number,
        );
        expect(port?.targetPort, `${ingress.metadata.name} ${path.path}`).toBe('http');
      }
    }
    // The catch-all `/` goes to web, whose /metrics now lives on another port.
    const catchAll = objectsOfKind(objects, 'Ingress')
      .flatMap((ingress) => ((ingress.spec as { rules: { http: { paths: IngressPath[] } }[] }).rules ?? []).flatMap((rule) => rule.http.paths))
      .find((path) => path.path === '/');
    expect(catchAll?.backend.service.name).toBe(name('web'));
  });

  it.each(SERVICES)('%s: METRICS_PORT is the container port `metrics`, the Service exposes it as `metrics`, and the ServiceMonitor scrapes only it', (component) => {
    const deployment = findObject(objects, 'Deployment', name(component));
    const container = podSpecOf(deployment)?.containers[0];
    const metricsPort = container?.ports?.find((port) => port.name === 'metrics')?.containerPort;
    const httpPort = container?.ports?.find((port) => port.name === 'http')?.containerPort;
    expect(metricsPort).toBeDefined();
    expect(metricsPort).not.toBe(httpPort);
    const config = findObject(objects, 'ConfigMap', name(component)).data as Record<string, string>;
    expect(config.METRICS_PORT).toBe(String(metricsPort));
    expect(config.PORT).toBe(String(httpPort));

    const servicePorts = (findObject(objects, 'Service', name(component)).spec as { ports: ServicePort[] }).ports;
    expect(servicePorts.find((port) => port.name === 'metrics')?.targetPort).toBe('metrics');

    const monitor = findObject(objects, 'ServiceMonitor', name(component));
    const endpoints = (monitor.spec as { endpoints: { port: string; path: string }[] }).endpoints;
    expect(endpoints.map((endpoint) => [endpoint.port, endpoint.path])).toEqual([['metrics', '/metrics']]);
  });

  it('probe the public port, where /healthz and /readyz stay (the kubelet sees what traffic sees)', () => {
    for (const component of SERVICES) {
      const container = podSpecOf(findObject(objects, 'Deployment', name(component)))?.containers[0] as K8sObject | undefined;
      expect(container?.readinessProbe, component).toMatchObject({ httpGet: { path: '/readyz', port: 'http' } });
      expect(container?.livenessProbe, component).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
    }
  });
});
