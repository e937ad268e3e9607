import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRelease } from '../src/chart-render.js';
import { KubeApiStandIn } from '../src/kube-api-stand-in/api-server.js';
import { createServingCertificate } from '../src/kube-api-stand-in/certificate.js';
import { ObjectStore } from '../src/kube-api-stand-in/object-store.js';
import { Rbac } from '../src/kube-api-stand-in/rbac.js';

const SECRETS = { group: '', resource: 'secrets' };
const release = renderRelease([]);
const rbacObjects = release.objects.filter((object) => /^(Cluster)?Role(Binding)?$/.test(object.kind));
const rbac = new Rbac(() => rbacObjects);
const operator = { user: 'system:serviceaccount:chat:parley-operator', groups: ['system:serviceaccounts'] };

describe("RBAC from the chart's own Role and RoleBinding", () => {
  it('grants the operator what its Role lists, in its namespace only', () => {
    expect(rbac.allows({ ...operator, verb: 'create', apiGroup: '', resource: 'secrets', namespace: 'chat' })).toBe(true);
    expect(rbac.allows({ ...operator, verb: 'watch', apiGroup: 'parley.dev', resource: 'chatplatforms', namespace: 'chat' })).toBe(true);
    expect(rbac.allows({ ...operator, verb: 'patch', apiGroup: 'parley.dev', resource: 'chatplatforms/status', namespace: 'chat' })).toBe(true);
    expect(rbac.allows({ ...operator, verb: 'create', apiGroup: '', resource: 'secrets', namespace: 'other' })).toBe(false);
  });

  it('refuses verbs and resources the Role leaves out', () => {
    expect(rbac.allows({ ...operator, verb: 'delete', apiGroup: '', resource: 'secrets', namespace: 'chat', name: 'x' })).toBe(false);
    expect(rbac.allows({ ...operator, verb: 'list', apiGroup: '', resource: 'configmaps', namespace: 'chat' })).toBe(false);
    expect(rbac.allows({ ...operator, verb: 'update', apiGroup: 'apps', resource: 'deployments', namespace: 'chat', name: 'parley-auth' })).toBe(false);
  });

  it('limits a rule with resourceNames to those names (the operator updates only its own Lease)', () => {
    const lease = { ...operator, verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'chat' };
    expect(rbac.allows({ ...lease, name: 'parley-operator' })).toBe(true);
    expect(rbac.allows({ ...lease, name: 'someone-else' })).toBe(false);
  });

  it('grants nothing to another service account', () => {
    expect(rbac.allows({ user: 'system:serviceaccount:chat:parley-auth', groups: [], verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'chat', name: 'parley-signing-keys' })).toBe(false);
  });
});

describe('the API server stand-in over HTTPS', () => {
  const store = new ObjectStore();
  const tls = createServingCertificate();
  const server = new KubeApiStandIn(store, rbac, tls);
  const dir = mkdtempSync(join(tmpdir(), 'api-stand-in-'));
  const socketPath = join(dir, 'api.sock');
  const token = server.issueServiceAccountToken('chat', 'parley-operator');

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, bearer = token) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = request({ socketPath, path, method, ca: tls.cert, servername: 'kubernetes.default.svc', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  beforeAll(() => server.listen(socketPath));
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a request without a known token with 401', async () => {
    expect((await call('GET', '/api/v1/namespaces/chat/secrets', undefined, {}, 'forged')).status).toBe(401);
  });

  it('creates, reads and replaces a Secret, and answers 409 to a stale resourceVersion', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys', labels: { 'app.kubernetes.io/part-of': 'parley' } }, data: { a: 'YQ==' } };
    expect((await call('POST', '/api/v1/namespaces/chat/secrets', secret)).status).toBe(201);
    expect((await call('POST', '/api/v1/namespaces/chat/secrets', secret)).status).toBe(409);
    const read = await call('GET', '/api/v1/namespaces/chat/secrets/keys');
    const metadata = read.body.metadata as { resourceVersion: string };
    const updated = await call('PUT', '/api/v1/namespaces/chat/secrets/keys', { ...read.body, data: { b: 'Yg==' } });
    expect(updated.status).toBe(200);
    expect((await call('PUT', '/api/v1/namespaces/chat/secrets/keys', { ...read.body, metadata: { ...read.body.metadata as object, resourceVersion: metadata.resourceVersion } })).status).toBe(409);
    const list = await call('GET', '/api/v1/namespaces/chat/secrets?labelSelector=app.kubernetes.io%2Fpart-of%3Dparley');
    expect((list.body.items as unknown[]).length).toBe(1);
  });

  it('answers 403 with a Status to what the Role does not grant', async () => {
    const denied = await call('DELETE', '/api/v1/namespaces/chat/secrets/keys');
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    expect(store.find(SECRETS, 'chat', 'keys')).toBeDefined();
  });

  it('applies a JSON patch to a ChatPlatform and a merge patch to its status only', async () => {
    store.create({ group: 'parley.dev', resource: 'chatplatforms' }, { apiVersion: 'parley.dev/v1alpha1', kind: 'ChatPlatform', metadata: { name: 'p', namespace: 'chat', annotations: { 'parley.dev/rotate-now': 'x' } }, spec: { a: 1 } });
    const patched = await call('PATCH', '/apis/parley.dev/v1alpha1/namespaces/chat/chatplatforms/p', [{ op: 'remove', path: '/metadata/annotations/parley.dev~1rotate-now' }], { 'content-type': 'application/json-patch+json' });
    expect(patched.status).toBe(200);
    expect((patched.body.metadata as { annotations: object }).annotations).toEqual({});
    const status = await call('PATCH', '/apis/parley.dev/v1alpha1/namespaces/chat/chatplatforms/p/status', { status: { phase: 'Ready' }, spec: { a: 2 } }, { 'content-type': 'application/merge-patch+json' });
    expect(status.body).toMatchObject({ status: { phase: 'Ready' }, spec: { a: 1 } });
  });
});
