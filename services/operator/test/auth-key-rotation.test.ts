import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, deleteRedisPrefix, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '@parley/testing';
import { chatPlatform, internalApiSecret, NAMESPACE, putReadyDeployments, RELEASE } from './support/cluster-objects.js';
import { type FakeKubeApiServer, startFakeKubeApiServer } from './support/fake-kube-api-server.js';
import { eventually, type RunningOperator, startOperator } from './support/operator-harness.js';
import { projectSecretVolume, type SecretVolumeProjector } from './support/secret-volume-projector.js';
import { freePort } from '@parley/ports';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const AUTH_MAIN = join(REPO_ROOT, 'services/auth/dist/main.js');
const AUTH_MIGRATE = join(REPO_ROOT, 'services/auth/dist/migrate.js');
const SECRET = `${RELEASE}-signing-keys`;

function run(command: string[], env: Record<string, string>, output: string[]): { child: ChildProcess; exit: Promise<number | null> } {
  const [script, ...args] = command;
  const child = spawn(process.execPath, [script ?? '', ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

/**
 * The whole rotation path with the REAL auth service (its build, started as a child process):
 * the operator writes the Secret in the fake API server, a kubelet stand-in projects it into the
 * auth service's SIGNING_KEYS_DIR, and the test checks tokens against the running service.
 */
describe('signing-key rotation seen by the real auth service', () => {
  let kube: FakeKubeApiServer;
  let operator: RunningOperator;
  let projector: SecretVolumeProjector;
  let database: TestDatabase;
  let redisPrefix: string;
  let scratch: string;
  let auth: { child: ChildProcess; exit: Promise<number | null> } | undefined;
  const authOutput: string[] = [];
  let authUrl = '';

  beforeAll(async () => {
    if (!existsSync(AUTH_MAIN)) throw new Error(`${AUTH_MAIN} is missing: run \`npm run build\` first`);
    database = await createTestDatabase('operator_auth');
    redisPrefix = testRedisPrefix('operator');
    scratch = await mkdtemp(join(tmpdir(), 'parley-operator-auth-'));

    kube = await startFakeKubeApiServer();
    kube.store.put(internalApiSecret());
    putReadyDeployments(kube.store);
    kube.store.create(
      'chatplatforms',
      NAMESPACE,
      chatPlatform({ accessTokenTTL: '4s', keyRotation: { interval: '1h', publishAhead: '2s', retirementMargin: '1s' } }),
    );
    operator = await startOperator(kube);
    await eventually(() => kube.store.find('secrets', NAMESPACE, SECRET), 'the signing-key Secret');
    const keysDir = join(scratch, 'signing-keys');
    projector = projectSecretVolume(kube.store, NAMESPACE, SECRET, keysDir);
    await eventually(() => projector.projectedVersion, 'the Secret volume');

    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      LOG_LEVEL: 'warn',
    };
    const migrateOutput: string[] = [];
    expect(await run([AUTH_MIGRATE], env, migrateOutput).exit, migrateOutput.join('')).toBe(0);
    const port = await freePort();
    authUrl = `http://127.0.0.1:${port}`;
    auth = run([AUTH_MAIN], {
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      // An ephemeral admin port: the default 9464 could be taken by another test's auth.
      METRICS_PORT: '0',
      DATA_DIR: join(scratch, 'auth-data'),
      SIGNING_KEYS_DIR: keysDir,
      SIGNING_KEYS_GENERATE: 'false',
      SIGNING_KEYS_RELOAD_MS: '100',
      ACCESS_TOKEN_TTL_SECONDS: '4',
      MAIL_WORKER_ENABLED: 'false',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      REGISTER_LIMIT_PER_IP: '1000',
      LOGIN_LIMIT_PER_IP: '1000',
    }, authOutput);
    await eventually(async () => ((await fetch(`${authUrl}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 'auth to be ready', 30_000);
  }, 60_000);

  afterAll(async () => {
    if (auth && auth.child.exitCode === null) {
      auth.child.kill('SIGTERM');
      await auth.exit;
    }
    await projector?.stop();
    await operator?.close();
    await kube?.close();
    await database?.drop();
    if (redisPrefix) await deleteRedisPrefix(redisPrefix);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${authUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { accessToken?: string } };
  };
  const me = async (token: string) => (await fetch(`${authUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  const publishedKids = async () => ((await (await fetch(`${authUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
  const secretKids = () =>
    Object.values((kube.store.find('secrets', NAMESPACE, SECRET)?.data as Record<string, string>) ?? {}).map(
      (encoded) => (JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as { kid: string }).kid,
    );

  it('accepts a token signed by the previous key during the overlap and rejects it once the key is pruned', async () => {
    const account = { email: 'rotation@example.com', username: 'rotation_user', password: 'a long passphrase for rotation' };
    expect((await post('/api/v1/auth/register', account)).status, authOutput.join('')).toBe(201);
    const login = async () => {
      const response = await post('/api/v1/auth/login', { login: account.username, password: account.password });
      expect(response.status).toBe(200);
      return response.body.accessToken as string;
    };
    const first = await login();
    const firstKid = kidOf(first);
    expect(secretKids()).toEqual([firstKid]);

    kube.store.patch('chatplatforms', NAMESPACE, RELEASE, { metadata: { annotations: { 'parley.dev/rotate-now': '1' } } }, 'application/merge-patch+json');
    const nextKid = await eventually(async () => (await publishedKids()).find((kid) => kid !== firstKid), 'the next key in the JWKS', 5_000);
    // Published, not signing yet.
    expect(kidOf(await login())).toBe(firstKid);

    let lastOldToken = first;
    const newToken = await eventually(async () => {
      const token = await login();
      if (kidOf(token) === firstKid) lastOldToken = token;
      return kidOf(token) === nextKid ? token : undefined;
    }, 'tokens signed with the next key', 6_000);

    // Overlap: the old key's tokens stay valid next to the new ones.
    expect(await me(lastOldToken)).toBe(200);
    expect(await me(newToken)).toBe(200);
    expect(await publishedKids()).toEqual([nextKid, firstKid]);

    // Pruned only after every token it signed has expired...
    await eventually(() => (secretKids().includes(firstKid as string) ? undefined : true), 'the old key to be pruned', 10_000);
    const prunedAt = Date.now();
    expect((decodeJwt(lastOldToken).exp ?? 0) * 1000).toBeLessThanOrEqual(prunedAt);
    // ...and from then on its tokens fail (verifiers allow 5 s of clock skew past `exp`, the missing key does not).
    await eventually(async () => ((await me(lastOldToken)) === 401 ? true : undefined), 'the old token to be rejected', 5_000);
    expect(await publishedKids()).toEqual([nextKid]);
    expect(await me(await login())).toBe(200);
    expect(auth?.child.exitCode, authOutput.join('')).toBeNull();
  }, 40_000);
});
