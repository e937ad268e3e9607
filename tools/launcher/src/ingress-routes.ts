/**
 * Path routing of the public origin: the same table as the Kubernetes Ingress, so what works
 * on localhost:8080 works behind the cluster's ingress. Internal endpoints are never listed.
 */
export interface IngressRoute {
  prefix: string;
  service: string;
  websocket?: boolean;
}

export const INGRESS_ROUTES: IngressRoute[] = [
  { prefix: '/api/v1/auth', service: 'auth' },
  { prefix: '/api/v1/users', service: 'user' },
  { prefix: '/api/v1/rooms', service: 'chat-socket' },
  { prefix: '/api/v1/presence', service: 'chat-socket' },
  { prefix: '/api/v1/search', service: 'chat-socket' },
  { prefix: '/socket.io', service: 'chat-socket', websocket: true },
  { prefix: '/', service: 'web' },
];

/** The route for a request path: longest prefix that matches on a path-segment boundary. */
export function matchRoute(path: string, routes: IngressRoute[] = INGRESS_ROUTES): IngressRoute | undefined {
  const pathname = path.split('?')[0] ?? '/';
  let best: IngressRoute | undefined;
  for (const route of routes) {
    const matches =
      route.prefix === '/' ||
      pathname === route.prefix ||
      pathname.startsWith(route.prefix.endsWith('/') ? route.prefix : `${route.prefix}/`);
    if (matches && (!best || route.prefix.length > best.prefix.length)) best = route;
  }
  return best;
}
