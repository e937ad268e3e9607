import { createServer, request, type Server } from 'node:http';
import { createConnection } from 'node:net';
import type { KubeObject } from './kube-objects.js';
import type { PodNetwork } from './pod-network.js';

interface Route {
  path: string;
  port: number;
  service: string;
}

/**
 * The release's Ingress rules as an ingress controller applies them (longest matching path
 * prefix wins), forwarding to the backing Service's target port in the pod: the entry point a
 * browser uses. Plain HTTP and WebSocket upgrades (socket.io).
 */
export function ingressRoutes(objects: KubeObject[]): Route[] {
  const services = new Map(objects.filter((object) => object.kind === 'Service').map((object) => [object.metadata.name, object]));
  const workloads = objects.filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet');
  const routes: Route[] = [];
  for (const ingress of objects.filter((object) => object.kind === 'Ingress')) {
    const rules = ((ingress.spec as { rules?: { http?: { paths?: { path?: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }[] } }[] })?.rules) ?? [];
    for (const rule of rules) {
      for (const path of rule.http?.paths ?? []) {
        const { name, port } = path.backend.service;
        const service = services.get(name);
        const servicePort = ((service?.spec as { ports?: { name?: string; port: number; targetPort?: number | string }[] })?.ports ?? []).find(
          (candidate) => (port.name !== undefined && candidate.name === port.name) || candidate.port === port.number,
        );
        if (!servicePort) throw new Error(`Ingress ${ingress.metadata.name}: Service ${name} has no port ${port.name ?? port.number}`);
        let target = servicePort.targetPort ?? servicePort.port;
        if (typeof target === 'string') {
          const selector = (service?.spec as { selector?: Record<string, string> }).selector ?? {};
          const workload = workloads.find((candidate) => {
            const labels = (candidate.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template?.metadata?.labels ?? {};
            return Object.entries(selector).every(([key, value]) => labels[key] === value);
          });
          const containers = (workload?.spec as { template?: { spec?: { containers?: { ports?: { name?: string; containerPort: number }[] }[] } } })?.template?.spec?.containers ?? [];
          const named = containers.flatMap((container) => container.ports ?? []).find((candidate) => candidate.name === target);
          if (!named) throw new Error(`Service ${name}: no pod port named ${target}`);
          target = named.containerPort;
        }
        routes.push({ path: path.path ?? '/', port: target, service: name });
      }
    }
  }
  return routes.sort((a, b) => b.path.length - a.path.length);
}

const matches = (route: Route, url: string) => {
  const pathname = url.split('?')[0] ?? '/';
  return route.path === '/' || pathname === route.path || pathname.startsWith(`${route.path.replace(/\/$/, '')}/`);
};

export function startIngressProxy(routes: Route[], network: PodNetwork): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const route = routes.find((candidate) => matches(candidate, req.url ?? '/'));
    if (!route) {
      res.writeHead(404).end('no ingress rule');
      return;
    }
    const upstream = request({ socketPath: network.socketPath(route.port), path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end('bad gateway'));
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket, head) => {
    const route = routes.find((candidate) => matches(candidate, req.url ?? '/'));
    if (!route) {
      socket.destroy();
      return;
    }
    const upstream = createConnection(network.socketPath(route.port), () => {
      const headers = Object.entries(req.headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((one) => `${name}: ${one}`));
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    upstream.on('error', close);
    socket.on('error', close);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}
