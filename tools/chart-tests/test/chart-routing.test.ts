import { describe, expect, it } from 'vitest';
import { INGRESS_ROUTES } from '../../launcher/src/ingress-routes.js';
import { findObject, type K8sObject, objectsOfKind, podSpecOf } from '../src/manifests.js';
import { RELEASE, name, render, ciFile } from './support/chart-render.js';

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
