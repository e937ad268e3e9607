import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiFailure, FakeKubeStore, type KubeObject } from './fake-kube-store.js';

/**
 * A FAKE Kubernetes API server for tests (a test double; no cluster runs here). It speaks the
 * real REST and watch protocol for the kinds the operator uses (secrets, pods, deployments,
 * leases, chatplatforms with their status subresource): GET/LIST with label selectors, WATCH
 * as a chunked stream of JSON events from a resourceVersion, POST, PUT with optimistic
 * concurrency, PATCH (JSON patch and merge patch), DELETE with owner-reference garbage
 * collection. `@kubernetes/client-node` talks to it through an ordinary KubeConfig.
 *
 * Per-client tokens let a test cut one client off (a network partition: its requests and
 * watches are dropped) while others keep working.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  token?: string;
  contentType?: string;
  body?: unknown;
}

export interface FakeKubeApiServer {
  url: string;
  store: FakeKubeStore;
  requests: RecordedRequest[];
  /** A KubeConfig pointing at this server, authenticating with `token`. */
  kubeConfig(token?: string): KubeConfig;
  /** Ends every open watch, as an API server restart does (clients re-watch). */
  dropWatches(): void;
  /** Drops every request (and open watch) made with `token` until allowed again. */
  denyToken(token: string): void;
  allowToken(token: string): void;
  close(): Promise<void>;
}

const ROUTE = /^\/(api\/v1|apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/(status))?$/;

interface OpenWatch {
  token?: string;
  response: ServerResponse;
  stop(): void;
}

export async function startFakeKubeApiServer(): Promise<FakeKubeApiServer> {
  const store = new FakeKubeStore();
  const requests: RecordedRequest[] = [];
  const denied = new Set<string>();
  const watches = new Set<OpenWatch>();
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ApiFailure(400, 'BadRequest', 'the request body is not JSON');
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token && denied.has(token)) {
      req.socket.destroy();
      return;
    }
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type'];
    const body = ['POST', 'PUT', 'PATCH'].includes(method) ? await readBody(req) : undefined;
    requests.push({ method, path: url.pathname, query: url.search, ...(token ? { token } : {}), ...(contentType ? { contentType } : {}), ...(body !== undefined ? { body } : {}) });

    const route = ROUTE.exec(url.pathname);
    const type = route ? store.resourceType(route[1] ?? '', route[3] ?? '') : undefined;
    if (!route || !type) throw new ApiFailure(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const namespace = route[2];
    const name = route[4];
    const subresource = route[5] === 'status' ? 'status' : undefined;
    const plural = type.plural;

    if (!name) {
      if (method === 'GET' && ['true', '1'].includes(url.searchParams.get('watch') ?? '')) {
        openWatch(req, res, token, plural, namespace, url.searchParams);
        return;
      }
      if (method === 'GET') {
        const items = store.list(plural, namespace, url.searchParams.get('labelSelector'));
        send(res, 200, { apiVersion: type.apiVersion, kind: `${type.kind}List`, metadata: { resourceVersion: store.latestResourceVersion }, items });
        return;
      }
      if (method === 'POST') {
        send(res, 201, store.create(plural, namespace, body as KubeObject));
        return;
      }
    } else {
      if (method === 'GET') return send(res, 200, store.get(plural, namespace, name));
      if (method === 'PUT') return send(res, 200, store.replace(plural, namespace, name, body as KubeObject, subresource));
      if (method === 'PATCH') return send(res, 200, store.patch(plural, namespace, name, body, contentType ?? '', subresource));
      if (method === 'DELETE' && !subresource) {
        const deleted = store.delete(plural, namespace, name);
        return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: plural, uid: deleted.metadata.uid } });
      }
    }
    throw new ApiFailure(405, 'MethodNotAllowed', `${method} is not supported on ${url.pathname}`);
  };

  const openWatch = (req: IncomingMessage, res: ServerResponse, token: string | undefined, plural: string, namespace: string | undefined, params: URLSearchParams) => {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (store.isExpired(params.get('resourceVersion'))) {
      // As the API server does: a 200 stream with one ERROR event, then the end.
      const gone = new ApiFailure(410, 'Expired', `too old resource version: ${params.get('resourceVersion')}`).toStatus();
      res.end(`${JSON.stringify({ type: 'ERROR', object: gone })}\n`);
      return;
    }
    let unsubscribe = () => {};
    let timer: NodeJS.Timeout | undefined;
    const watch: OpenWatch = {
      ...(token ? { token } : {}),
      response: res,
      stop() {
        unsubscribe();
        clearTimeout(timer);
        watches.delete(watch);
      },
    };
    watches.add(watch);
    unsubscribe = store.watch(
      { plural, ...(namespace ? { namespace } : {}), labelSelector: params.get('labelSelector'), resourceVersion: params.get('resourceVersion') },
      (event) => {
        if (!res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
      },
    );
    const timeoutSeconds = Number(params.get('timeoutSeconds') ?? 0);
    if (timeoutSeconds > 0) {
      timer = setTimeout(() => {
        watch.stop();
        res.end();
      }, timeoutSeconds * 1000);
    }
    req.on('close', () => watch.stop());
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof ApiFailure) send(res, error.code, error.toStatus());
      else send(res, 500, new ApiFailure(500, 'InternalError', (error as Error).message).toStatus());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    store,
    requests,
    kubeConfig(token = 'operator') {
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'tester', token }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'tester', namespace: 'default' }],
        currentContext: 'fake',
      });
      return config;
    },
    dropWatches() {
      for (const watch of [...watches]) {
        watch.stop();
        watch.response.end();
      }
    },
    denyToken(token) {
      denied.add(token);
      for (const watch of [...watches]) {
        if (watch.token !== token) continue;
        watch.stop();
        watch.response.socket?.destroy();
      }
    },
    allowToken(token) {
      denied.delete(token);
    },
    async close() {
      for (const watch of [...watches]) watch.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
