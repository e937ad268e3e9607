import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatPlatform, internalApiSecret, NAMESPACE, putReadyDeployments, RELEASE } from './support/cluster-objects.js';
import { type FakeKubeApiServer, startFakeKubeApiServer } from './support/fake-kube-api-server.js';
import type { KubeObject } from './support/fake-kube-store.js';
import { eventually, type RunningOperator, sleep, startOperator } from './support/operator-harness.js';

const SECRET = `${RELEASE}-signing-keys`;

interface KeyFile {
  kid: string;
  iat: number;
  nbf?: number;
  d?: string;
  x: string;
}

const keyFiles = (secret: KubeObject | undefined): KeyFile[] =>
  Object.values((secret?.data as Record<string, string> | undefined) ?? {})
    .map((encoded) => JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as KeyFile)
    .sort((a, b) => a.iat - b.iat);

describe('signing keys against a fake Kubernetes API server', () => {
  let kube: FakeKubeApiServer;
  let running: RunningOperator | undefined;

  beforeEach(async () => {
    kube = await startFakeKubeApiServer();
    kube.store.put(internalApiSecret());
    putReadyDeployments(kube.store);
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await kube.close();
  });

  const secret = () => kube.store.find('secrets', NAMESPACE, SECRET);
  const platform = () => kube.store.find('chatplatforms', NAMESPACE, RELEASE);

  it('creates the signing-key Secret with one private ES256 key at install, owned by the ChatPlatform', async () => {
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform());
    running = await startOperator(kube);
    const created = await eventually(() => secret(), 'the signing-key Secret');
    const [key, ...others] = keyFiles(created);
    expect(others).toEqual([]);
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(key?.d).toBeTruthy();
    expect(key?.nbf).toBeUndefined();
    expect(Object.keys(created?.data as object)).toEqual([`${key?.kid}.json`]);
    expect(created?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'ChatPlatform', name: RELEASE, uid: platform()?.metadata.uid, controller: true, blockOwnerDeletion: true }),
    ]);
    const status = await eventually(() => {
      const current = platform()?.status as { keys?: { currentKeyId?: string } } | undefined;
      return current?.keys?.currentKeyId ? current : undefined;
    }, 'status.keys');
    expect(status.keys?.currentKeyId).toBe(key?.kid);
  });

  it('publishes the next key before it signs, keeps the retired key through the overlap, then drops its private half and prunes it', async () => {
    kube.store.create(
      'chatplatforms',
      NAMESPACE,
      chatPlatform({ accessTokenTTL: '2s', keyRotation: { interval: '3s', publishAhead: '1s', retirementMargin: '1s' } }),
    );
    running = await startOperator(kube);
    const [first] = keyFiles(await eventually(() => secret(), 'the first key'));
    if (!first) throw new Error('no first key');

    // Due 3 s after the first key started signing, published 1 s before that, with nbf = due time.
    const withNext = await eventually(() => (keyFiles(secret()).length === 2 ? keyFiles(secret()) : undefined), 'the next key', 8_000);
    const next = withNext[1] as KeyFile;
    expect(next.d).toBeTruthy();
    expect(next.nbf).toBeGreaterThanOrEqual(first.iat + 3);
    expect(next.nbf).toBeLessThanOrEqual(first.iat + 4);
    expect((next.nbf ?? 0) - next.iat).toBeGreaterThanOrEqual(1); // published at least publishAhead before signing
    expect(Date.now() / 1000).toBeLessThan(next.nbf ?? 0);
    expect(next.iat).toBeGreaterThan(first.iat);

    // After the next key took over: the retired key keeps its private half for the margin only...
    const stripped = await eventually(() => {
      const old = keyFiles(secret()).find((key) => key.kid === first.kid);
      return old && old.d === undefined ? old : undefined;
    }, 'the private half of the retired key to go', 8_000);
    expect(Date.now() / 1000).toBeGreaterThanOrEqual((next.nbf ?? 0) + 1);
    expect(stripped.x).toBe(first.x);
    // ...and its public half until every token it signed has expired (access-token TTL + margin).
    await eventually(() => (keyFiles(secret()).some((key) => key.kid === first.kid) ? undefined : true), 'the retired key to be pruned', 8_000);
    expect(Date.now() / 1000).toBeGreaterThanOrEqual((next.nbf ?? 0) + 2 + 1);
  }, 30_000);

  it('rotates at once on the parley.dev/rotate-now annotation, still publishing ahead, and removes the annotation', async () => {
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform({ keyRotation: { publishAhead: '5s' } }));
    running = await startOperator(kube);
    const [first] = keyFiles(await eventually(() => secret(), 'the first key'));

    kube.store.patch('chatplatforms', NAMESPACE, RELEASE, { metadata: { annotations: { 'parley.dev/rotate-now': 'ticket-42' } } }, 'application/merge-patch+json');
    const keys = await eventually(() => (keyFiles(secret()).length === 2 ? keyFiles(secret()) : undefined), 'a forced rotation');
    expect(keys[0]?.kid).toBe(first?.kid);
    expect((keys[1]?.nbf ?? 0) - Date.now() / 1000).toBeGreaterThan(3);
    await eventually(() => (platform()?.metadata.annotations?.['parley.dev/rotate-now'] === undefined ? true : undefined), 'the annotation to be removed');
    const status = await eventually(() => {
      const current = platform()?.status as { keys?: { nextKeyId?: string; currentKeyId?: string } } | undefined;
      return current?.keys?.nextKeyId ? current : undefined;
    }, 'status.keys.nextKeyId');
    expect(status.keys).toMatchObject({ currentKeyId: first?.kid, nextKeyId: keys[1]?.kid });
    // The PATCH that removed it was a JSON patch guarded by a test of the value it acted on.
    const removal = kube.requests.find((request) => request.method === 'PATCH' && request.path.endsWith(`/chatplatforms/${RELEASE}`));
    expect(removal?.contentType).toBe('application/json-patch+json');
    expect(removal?.body).toEqual([
      { op: 'test', path: '/metadata/annotations/parley.dev~1rotate-now', value: 'ticket-42' },
      { op: 'remove', path: '/metadata/annotations/parley.dev~1rotate-now' },
    ]);
  });

  it('adopts a Secret the key-bootstrap hook created and keeps signing with its key', async () => {
    const bootstrapKey = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI', kid: 'bootstrap-1', alg: 'ES256', use: 'sig', iat: Math.floor(Date.now() / 1000) - 60 };
    kube.store.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: SECRET, namespace: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'parley' } },
      data: { 'bootstrap-1.json': Buffer.from(JSON.stringify(bootstrapKey)).toString('base64') },
    });
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform());
    running = await startOperator(kube);
    const adopted = await eventually(() => (secret()?.metadata.ownerReferences?.length ? secret() : undefined), 'the Secret to be adopted');
    expect(adopted?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ChatPlatform', name: RELEASE, controller: true });
    expect(keyFiles(adopted).map((key) => key.kid)).toEqual(['bootstrap-1']);
    await eventually(() => ((platform()?.status as { keys?: { currentKeyId?: string } })?.keys?.currentKeyId === 'bootstrap-1' ? true : undefined), 'status of the adopted key');
  });

  it('leaves a key file the auth service would skip untouched, and reports it', async () => {
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform());
    running = await startOperator(kube);
    const created = await eventually(() => secret(), 'the signing-key Secret');
    kube.store.put({ ...created, data: { ...(created?.data as Record<string, string>), 'broken.json': Buffer.from('{"kty":"RSA"}').toString('base64') } } as KubeObject);
    const degraded = await eventually(() => {
      const conditions = (platform()?.status as { conditions?: { type: string; status: string; message: string }[] })?.conditions;
      const found = conditions?.find((candidate) => candidate.type === 'Degraded');
      return found?.message.includes('broken.json') ? found : undefined;
    }, 'the broken file to be reported');
    expect(degraded).toMatchObject({ status: 'True', reason: 'ReconcileError' });
    expect(degraded.message).toContain('skipped key file broken.json: kty');
    expect(Object.keys(secret()?.data as object)).toContain('broken.json');
    expect((platform()?.status as { conditions: { type: string; status: string }[] }).conditions.find((candidate) => candidate.type === 'KeysReady')?.status).toBe('True');
  });

  it('only reports on a Secret it does not manage, and says when it is missing', async () => {
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform({ managed: false }));
    running = await startOperator(kube);
    const condition = await eventually(() => {
      const conditions = (platform()?.status as { conditions?: { type: string; status: string; reason: string }[] })?.conditions;
      return conditions?.find((candidate) => candidate.type === 'KeysReady');
    }, 'KeysReady');
    expect(condition).toMatchObject({ status: 'False', reason: 'SecretMissing' });
    await sleep(300);
    expect(secret()).toBeUndefined();
  });

  it('deletes the Secret it created when the ChatPlatform is deleted (owner reference, garbage collection)', async () => {
    kube.store.create('chatplatforms', NAMESPACE, chatPlatform());
    running = await startOperator(kube);
    await eventually(() => secret(), 'the signing-key Secret');
    kube.store.delete('chatplatforms', NAMESPACE, RELEASE);
    await eventually(() => (secret() === undefined ? true : undefined), 'the Secret to be collected');
    // The operator does not recreate it for a platform that is gone.
    await sleep(400);
    expect(secret()).toBeUndefined();
  });
});
