import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningKeyJwk, loadSigningKey } from '@parley/signing-keys';
import {
  BootstrapSettingsError,
  ensureSigningKeySecret,
  readBootstrapSettings,
  signingKeySecretData,
} from '../src/index.js';

describe('signingKeySecretData', () => {
  it('writes a Secret file the auth service loads as a usable private signing key', async () => {
    const jwk = await createSigningKeyJwk();
    const data = signingKeySecretData(jwk);
    const fileName = `${jwk.kid}.json`;
    expect(Object.keys(data)).toEqual([fileName]);
    const text = Buffer.from(data[fileName] ?? '', 'base64').toString('utf8');
    const key = await loadSigningKey(text, fileName);
    expect(key.kid).toBe(jwk.kid);
    expect(key.iat).toBe(jwk.iat);
    expect(key.privateKey).toBeDefined();
  });
});

describe('readBootstrapSettings', () => {
  const noNamespaceFile = () => {
    throw new Error('ENOENT');
  };

  it('reads the Secret name, namespace, labels and annotations from the environment', () => {
    const settings = readBootstrapSettings(
      {
        SIGNING_KEYS_SECRET: 'parley-signing-keys',
        POD_NAMESPACE: 'chat',
        SIGNING_KEYS_SECRET_LABELS: '{"app.kubernetes.io/part-of":"parley"}',
        SIGNING_KEYS_SECRET_ANNOTATIONS: '{"helm.sh/resource-policy":"keep"}',
      },
      noNamespaceFile,
    );
    expect(settings).toEqual({
      name: 'parley-signing-keys',
      namespace: 'chat',
      labels: { 'app.kubernetes.io/part-of': 'parley' },
      annotations: { 'helm.sh/resource-policy': 'keep' },
    });
  });

  it("falls back to the service account's namespace file", () => {
    expect(readBootstrapSettings({ SIGNING_KEYS_SECRET: 'keys' }, () => 'team-a\n').namespace).toBe('team-a');
  });

  it.each([
    ['no Secret name', {}],
    ['an invalid Secret name', { SIGNING_KEYS_SECRET: 'Not_A_Name', POD_NAMESPACE: 'x' }],
    ['no namespace anywhere', { SIGNING_KEYS_SECRET: 'keys' }],
    ['labels that are not JSON', { SIGNING_KEYS_SECRET: 'keys', POD_NAMESPACE: 'x', SIGNING_KEYS_SECRET_LABELS: 'a=b' }],
    ['labels with a non-string value', { SIGNING_KEYS_SECRET: 'keys', POD_NAMESPACE: 'x', SIGNING_KEYS_SECRET_LABELS: '{"a":1}' }],
  ])('rejects %s', (_label, env) => {
    expect(() => readBootstrapSettings(env, noNamespaceFile)).toThrow(BootstrapSettingsError);
  });
});

/**
 * A tiny stand-in for the Kubernetes API (GET and POST of namespaced Secrets only), so the real
 * @kubernetes/client-node client is exercised over HTTP. Not a real API server: issue #6's fake
 * API server and a kind cluster cover that.
 */
describe('ensureSigningKeySecret against a stub API endpoint', () => {
  const secrets = new Map<string, Record<string, unknown>>();
  const requests: string[] = [];
  let respondToCreate: ((res: ServerResponse) => boolean) | undefined;
  let server: Server;
  let api: CoreV1Api;

  const status = (res: ServerResponse, code: number, reason: string) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code }));
  };
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  };

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const url = new URL(req.url ?? '/', 'http://stub');
      const match = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(url.pathname);
      if (!match) return status(res, 404, 'NotFound');
      const [, namespace, name] = match;
      if (req.method === 'GET' && name) {
        const secret = secrets.get(`${namespace}/${name}`);
        if (!secret) return status(res, 404, 'NotFound');
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(secret));
      }
      if (req.method === 'POST' && !name) {
        const body = await readBody(req);
        if (respondToCreate?.(res)) return;
        const metadata = body.metadata as { name: string };
        secrets.set(`${namespace}/${metadata.name}`, body);
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(body));
      }
      return status(res, 405, 'MethodNotAllowed');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'stub', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'stub', token: 'stub-token' }],
      contexts: [{ name: 'stub', cluster: 'stub', user: 'stub', namespace: 'chat' }],
      currentContext: 'stub',
    });
    api = config.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('creates the Secret with one private key file when it is missing', async () => {
    const result = await ensureSigningKeySecret(api, {
      namespace: 'chat',
      name: 'parley-signing-keys',
      labels: { 'app.kubernetes.io/part-of': 'parley' },
    });
    expect(result.outcome).toBe('created');
    const stored = secrets.get('chat/parley-signing-keys') as { data: Record<string, string>; metadata: { labels: unknown } };
    expect(stored.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'parley' });
    const files = Object.keys(stored.data);
    expect(files).toEqual([`${result.outcome === 'created' ? result.kid : ''}.json`]);
    const jwk = JSON.parse(Buffer.from(stored.data[files[0] ?? ''] ?? '', 'base64').toString('utf8')) as Record<string, unknown>;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(typeof jwk.d).toBe('string');
  });

  it('leaves an existing Secret untouched', async () => {
    const before = JSON.stringify(secrets.get('chat/parley-signing-keys'));
    requests.length = 0;
    const result = await ensureSigningKeySecret(api, { namespace: 'chat', name: 'parley-signing-keys' });
    expect(result).toEqual({ outcome: 'exists' });
    expect(requests).toEqual(['GET /api/v1/namespaces/chat/secrets/parley-signing-keys']);
    expect(JSON.stringify(secrets.get('chat/parley-signing-keys'))).toBe(before);
  });

  it('treats losing a create race (409) as an existing Secret', async () => {
    respondToCreate = (res) => {
      status(res, 409, 'AlreadyExists');
      return true;
    };
    try {
      await expect(ensureSigningKeySecret(api, { namespace: 'chat', name: 'raced' })).resolves.toEqual({ outcome: 'exists' });
    } finally {
      respondToCreate = undefined;
    }
  });

  it('fails when the API refuses the create (403: missing RBAC)', async () => {
    respondToCreate = (res) => {
      status(res, 403, 'Forbidden');
      return true;
    };
    try {
      await expect(ensureSigningKeySecret(api, { namespace: 'chat', name: 'forbidden' })).rejects.toMatchObject({ code: 403 });
    } finally {
      respondToCreate = undefined;
    }
  });
});
