import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import { readFileMailbox } from '@parley/mail';
import { matchRoute, type IngressRoute } from './ingress-routes.js';
import { launcherLog } from './launcher-log.js';
import { UpstreamPool } from './upstream-pool.js';

export interface GatewaySettings {
  host: string;
  port: number;
  routes: IngressRoute[];
  /** service name → base URLs of its instances, for the services that run. */
  upstreams: Record<string, string[]>;
  /** The file mailbox, readable at `/dev/mailbox?to=` (local only: the ingress has no such path). */
  mailboxDir?: string;
}

/** How long an instance that refused a connection is skipped (a restart takes about this long). */
const DOWN_AFTER_REFUSAL_MS = 2_000;

/** One origin in front of every service, routing by path like the ingress (WebSockets included). */
export function createGateway(settings: GatewaySettings): Server {
  const proxy = createProxyServer({ xfwd: true, ws: true, changeOrigin: false });
  /** Which pool instance each proxied request went to, so a refusal can mark it down. */
  const picked = new WeakMap<IncomingMessage, { pool: UpstreamPool; index: number }>();
  proxy.on('error', (error: Error, req: IncomingMessage, target: ServerResponse | Duplex) => {
    const upstream = picked.get(req);
    if (upstream && (error as NodeJS.ErrnoException).code === 'ECONNREFUSED') upstream.pool.markDown(upstream.index, DOWN_AFTER_REFUSAL_MS);
    if ('writeHead' in target && !target.headersSent) {
      sendError(target, 502, 'unavailable', 'The service behind this path is not answering');
    } else {
      target.destroy();
    }
    launcherLog(`gateway: upstream error: ${error.message}`);
  });

  const pools = new Map(Object.entries(settings.upstreams).map(([name, targets]) => [name, new UpstreamPool(targets)]));
  const poolFor = (url: string | undefined) => {
    const route = matchRoute(url ?? '/', settings.routes);
    const pool = route ? pools.get(route.service) : undefined;
    return route && pool ? { route, pool } : undefined;
  };

  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (settings.mailboxDir && req.method === 'GET' && req.url?.startsWith('/dev/mailbox')) {
      serveMailbox(settings.mailboxDir, req, res).catch((error: unknown) => {
        // A development page must never take `npm start` down with it.
        launcherLog(`dev mailbox: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) sendError(res, 500, 'internal', 'Cannot read the dev mailbox');
      });
      return;
    }
    const upstream = poolFor(req.url);
    if (upstream) {
      const sticky = upstream.route.websocket === true;
      const { target, index, fromCookie } = upstream.pool.pick(req, sticky);
      if (sticky && !fromCookie) UpstreamPool.setAffinity(res, index);
      picked.set(req, { pool: upstream.pool, index });
      proxy.web(req, res, { target });
      return;
    }
    if ((req.url ?? '/').split('?')[0] === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(landingPage(settings.upstreams));
      return;
    }
    sendError(res, 404, 'not_found', 'No such endpoint');
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const upstream = poolFor(req.url);
    if (!upstream?.route.websocket) {
      socket.destroy();
      return;
    }
    const { target, index } = upstream.pool.pick(req, true);
    picked.set(req, { pool: upstream.pool, index });
    proxy.ws(req, socket, head, { target });
  });
  return server;
}

/** Local development only: mail that would have been sent, newest first, for one address. */
async function serveMailbox(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const to = new URL(req.url ?? '/', 'http://local').searchParams.get('to') ?? undefined;
  if (!to) {
    sendError(res, 400, 'invalid', 'Pass ?to=<email address>');
    return;
  }
  const messages = (await readFileMailbox(dir, to)).reverse().slice(0, 20);
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ messages }));
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message } }));
}

/** Shown at `/` until the web client is part of the platform. */
function landingPage(upstreams: Record<string, string[]>): string {
  const docs = Object.keys(upstreams)
    .filter((name) => name === 'auth' || name === 'user')
    .map((name) => {
      const path = name === 'auth' ? '/api/v1/auth/openapi.json' : '/api/v1/users/openapi.json';
      return `<li><a href="${path}">${path}</a></li>`;
    })
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley</title></head><body><h1>Parley is running</h1><p>API documents:</p><ul>${docs}</ul></body></html>`;
}
