import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { z } from 'zod';
import type { KubeObject } from '../kube-objects.js';
import { matchesSelector, type ObjectStore, pluralOf, StoreError, type ResourceType } from './object-store.js';
import { jsonPatch, mergePatch, type JsonPatchOperation } from './patches.js';
import type { Rbac, RequestAttributes } from './rbac.js';

/** One request as the stand-in decided it (the smoke test reports the denied ones). */
export interface AuditEntry {
  user: string;
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
  code: number;
}

interface ParsedPath {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const PATH = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/;

function parsePath(pathname: string): ParsedPath | undefined {
  const match = PATH.exec(pathname);
  if (!match) return undefined;
  const [, coreVersion, group, groupVersion, namespace, resource, name, subresource] = match;
  return {
    type: { group: group ?? '', resource: resource ?? '' },
    version: coreVersion ?? groupVersion ?? 'v1',
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
    ...(subresource ? { subresource } : {}),
  };
}

/** Kinds of the collections the operator creates in, for bodies that leave `kind` out. */
const KINDS: Record<string, string> = { secrets: 'Secret', leases: 'Lease', configmaps: 'ConfigMap', pods: 'Pod', events: 'Event' };

const objectBody = z.object({ apiVersion: z.string().optional(), kind: z.string().optional(), metadata: z.object({ name: z.string().min(1) }).passthrough() }).passthrough();
const jsonPatchBody = z.array(z.object({ op: z.enum(['add', 'remove', 'replace', 'test']), path: z.string(), value: z.unknown().optional() }));

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 3 * 1024 * 1024) throw new StoreError(413, 'RequestEntityTooLarge', 'request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new StoreError(400, 'BadRequest', 'request body is not JSON');
  }
}

/**
 * A Kubernetes API server stand-in: the REST endpoints the operator uses (get, list, watch,
 * create, update, patch, delete of namespaced objects and their status), bearer-token
 * authentication of service accounts, and RBAC from the release's own Roles and bindings.
 * Not a Kubernetes API server: no admission, no schema validation, no garbage collection.
 */
export class KubeApiStandIn {
  readonly audit: AuditEntry[] = [];
  private readonly tokens = new Map<string, { user: string; groups: string[] }>();
  private readonly server: Server;

  constructor(
    readonly store: ObjectStore,
    private readonly rbac: Rbac,
    tls: { key: string; cert: string },
  ) {
    this.server = createServer(tls, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (error instanceof StoreError) status(res, error.code, error.reason, error.message);
        else status(res, 500, 'InternalError', error instanceof Error ? error.message : String(error));
      });
    });
  }

  /** A bearer token for a service account, as the token projected into its pods. */
  issueServiceAccountToken(namespace: string, serviceAccount: string): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { user: `system:serviceaccount:${namespace}:${serviceAccount}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] });
    return token;
  }

  listen(socketPath: string): Promise<void> {
    return new Promise((resolve) => this.server.listen(socketPath, resolve));
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://stand-in');
    const identity = this.tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!identity) return status(res, 401, 'Unauthorized', 'Unauthorized');
    const path = parsePath(url.pathname);
    if (!path) return status(res, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const method = req.method ?? 'GET';
    const verb =
      method === 'GET' ? (watch ? 'watch' : path.name ? 'get' : 'list') : method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : method === 'DELETE' ? 'delete' : method.toLowerCase();
    const attributes: RequestAttributes = {
      ...identity,
      verb,
      apiGroup: path.type.group,
      resource: path.subresource ? `${path.type.resource}/${path.subresource}` : path.type.resource,
      ...(path.namespace ? { namespace: path.namespace } : {}),
      ...(path.name ? { name: path.name } : {}),
    };
    const allowed = this.rbac.allows(attributes);
    const entry: AuditEntry = { user: identity.user, verb, resource: attributes.resource, code: allowed ? 200 : 403, ...(path.namespace ? { namespace: path.namespace } : {}), ...(path.name ? { name: path.name } : {}) };
    this.audit.push(entry);
    if (!allowed) {
      const scope = path.namespace ? ` in the namespace "${path.namespace}"` : ' at the cluster scope';
      return status(res, 403, 'Forbidden', `${path.type.resource} is forbidden: User "${identity.user}" cannot ${verb} resource "${attributes.resource}" in API group "${path.type.group}"${scope}`);
    }
    try {
      await this.serve(req, res, path, verb, url);
    } catch (error) {
      if (error instanceof StoreError) entry.code = error.code;
      throw error;
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse, path: ParsedPath, verb: string, url: URL): Promise<void> {
    const { store } = this;
    const selector = url.searchParams.get('labelSelector') ?? undefined;
    if (verb === 'watch') return this.watch(res, path, selector, Number(url.searchParams.get('resourceVersion') ?? '0'), Number(url.searchParams.get('timeoutSeconds') ?? '0'));
    if (verb === 'list') {
      const items = store.list(path.type, path.namespace, selector);
      const kind = items[0]?.kind ?? '';
      return send(res, 200, { kind: `${kind}List`, apiVersion: path.type.group ? `${path.type.group}/${path.version}` : 'v1', metadata: { resourceVersion: String(store.resourceVersion) }, items });
    }
    if (verb === 'get') return send(res, 200, store.get(path.type, path.namespace, path.name ?? ''));
    if (verb === 'delete') return send(res, 200, store.delete(path.type, path.namespace, path.name ?? ''));
    const body = await readBody(req);
    if (verb === 'patch') {
      const current = store.get(path.type, path.namespace, path.name ?? '');
      const contentType = req.headers['content-type'] ?? '';
      let patched: unknown;
      try {
        patched = contentType.includes('json-patch') ? jsonPatch(current, jsonPatchBody.parse(body) as JsonPatchOperation[]) : mergePatch(current, body);
      } catch (error) {
        throw new StoreError(422, 'Invalid', error instanceof Error ? error.message : String(error));
      }
      const next = patched as KubeObject;
      next.metadata = { ...next.metadata, resourceVersion: current.metadata.resourceVersion };
      return send(res, 200, store.replace(path.type, next, path.subresource === 'status'));
    }
    const parsed = objectBody.safeParse(body);
    if (!parsed.success) throw new StoreError(400, 'BadRequest', `invalid object: ${parsed.error.issues[0]?.message ?? ''}`);
    const object = parsed.data as unknown as KubeObject;
    object.metadata.namespace = path.namespace;
    if (verb === 'create') {
      if (object.kind && pluralOf(object.kind) !== path.type.resource) throw new StoreError(400, 'BadRequest', `kind ${object.kind} does not belong in ${path.type.resource}`);
      object.kind ??= KINDS[path.type.resource] ?? '';
      object.apiVersion ??= path.type.group ? `${path.type.group}/${path.version}` : path.version;
      return send(res, 201, store.create(path.type, object));
    }
    if (verb === 'update') {
      if (object.metadata.name !== path.name) throw new StoreError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
      return send(res, 200, store.replace(path.type, object, path.subresource === 'status'));
    }
    throw new StoreError(405, 'MethodNotAllowed', `${verb} is not supported`);
  }

  private watch(res: ServerResponse, path: ParsedPath, selector: string | undefined, since: number, timeoutSeconds: number): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const stop = this.store.watch(path.type, since, (event) => {
      const { object } = event;
      if (path.namespace && object.metadata.namespace !== path.namespace) return;
      if (selector && !matches(object, selector)) return;
      res.write(`${JSON.stringify({ type: event.type, object })}\n`);
    });
    const end = () => {
      stop();
      res.end();
    };
    res.on('close', stop);
    if (timeoutSeconds > 0) setTimeout(end, timeoutSeconds * 1000).unref();
  }
}

const matches = (object: KubeObject, selector: string) => matchesSelector(object.metadata.labels, selector);
