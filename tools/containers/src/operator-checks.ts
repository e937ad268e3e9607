import { request } from 'node:https';
import type { Checks } from './checks.js';
import { objectData } from './kube-objects.js';
import { API_SERVER_PORT, type ReleasePod } from './release-pod.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CHAT_PLATFORMS = { group: 'parley.dev', resource: 'chatplatforms' };
const SECRETS = { group: '', resource: 'secrets' };

async function eventually<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let problem = '';
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    await sleep(1_000);
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s${problem ? ` (${problem})` : ''}`);
}

/** A request to the API stand-in with a service account's token, as a pod would send it. */
function apiRequest(release: ReleasePod, token: string, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: release.network.hostSocketFor(API_SERVER_PORT), path, method, headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const keyIds = (release: ReleasePod, namespace: string, name: string) => {
  const secret = release.store.find(SECRETS, namespace, name);
  return secret ? [...objectData(secret).keys()].filter((key) => key.endsWith('.json')).map((key) => key.slice(0, -'.json'.length)).sort() : undefined;
};

async function authKeyIds(release: ReleasePod, authPort: number): Promise<string[]> {
  const answer = await release.network.http(authPort, '/.well-known/jwks.json');
  if (answer.status !== 200) throw new Error(`JWKS answered ${answer.status}`);
  return ((JSON.parse(answer.body) as { keys: { kid: string }[] }).keys ?? []).map((key) => key.kid).sort();
}

/**
 * The operator against the API server stand-in: it creates the signing-key Secret auth loads,
 * rotates it on request, never needs more than the rendered RBAC, and the stand-in refuses
 * what the Role does not grant.
 */
export async function checkOperator(release: ReleasePod, checks: Checks, authPort: number): Promise<void> {
  const namespace = release.release.namespace;
  const platform = release.store.list(CHAT_PLATFORMS, namespace)[0];
  if (!platform) {
    checks.fail('operator', 'the release has no ChatPlatform');
    return;
  }
  const spec = platform.spec as { auth?: { signingKeys?: { secretName?: string; managed?: boolean } } };
  const secretName = spec.auth?.signingKeys?.secretName ?? '';
  const operatorAccount = release.release.objects.find((object) => object.kind === 'Deployment' && object.metadata.name.endsWith('-operator'));
  const account = (operatorAccount?.spec as { template: { spec: { serviceAccountName?: string } } } | undefined)?.template.spec.serviceAccountName ?? 'default';
  const operatorUser = `system:serviceaccount:${namespace}:${account}`;

  const first = await checks.check(`operator creates the signing-key Secret ${secretName}`, () =>
    eventually('a signing key in the Secret', 60_000, () => {
      const created = release.api.audit.some((entry) => entry.user === operatorUser && entry.verb === 'create' && entry.resource === 'secrets' && entry.code === 200);
      const ids = keyIds(release, namespace, secretName);
      return created && ids && ids.length > 0 ? ids : undefined;
    }),
    (ids) => `keys ${ids.join(', ')}`,
  );
  await checks.check('operator writes the ChatPlatform status', () =>
    eventually('status.conditions', 60_000, () => {
      const current = release.store.find(CHAT_PLATFORMS, namespace, platform.metadata.name);
      const conditions = (current?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
      return conditions && conditions.length > 0 ? conditions : undefined;
    }),
    (conditions) => conditions.map((condition) => `${condition.type}=${condition.status}`).join(', '),
  );
  if (first) {
    await checks.check('auth serves the operator-created key in its JWKS', () =>
      eventually('the key in the JWKS', 30_000, async () => {
        const served = await authKeyIds(release, authPort);
        return first.every((kid) => served.includes(kid)) ? served : undefined;
      }),
    );
    await checks.check('operator rotates the signing keys on parley.dev/rotate-now, and auth loads the new key', async () => {
      const current = release.store.get(CHAT_PLATFORMS, namespace, platform.metadata.name);
      const requestedAt = new Date().toISOString();
      // What `kubectl annotate chatplatform parley parley.dev/rotate-now=<time>` sends.
      release.store.replace(CHAT_PLATFORMS, { ...current, metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, 'parley.dev/rotate-now': requestedAt } } });
      const rotated = await eventually('a new key in the Secret', 60_000, () => {
        const ids = keyIds(release, namespace, secretName) ?? [];
        const added = ids.filter((kid) => !first.includes(kid));
        return added.length > 0 ? added : undefined;
      });
      await eventually('the new key in auth\'s JWKS', 30_000, async () => {
        const served = await authKeyIds(release, authPort);
        return rotated.every((kid) => served.includes(kid)) ? true : undefined;
      });
      await eventually('the rotate-now annotation removed', 30_000, () =>
        release.store.get(CHAT_PLATFORMS, namespace, platform.metadata.name).metadata.annotations?.['parley.dev/rotate-now'] === undefined ? true : undefined,
      );
      return rotated;
    }, (rotated) => `new key ${rotated.join(', ')}`);
  }
  const operatorRequests = release.api.audit.filter((entry) => entry.user === operatorUser);
  const denied = operatorRequests.filter((entry) => entry.code === 403);
  if (operatorRequests.length === 0) checks.fail('operator requests allowed by the rendered RBAC', 'the operator sent no request to the API server stand-in');
  else if (denied.length > 0) checks.fail('operator requests allowed by the rendered RBAC', denied.map((entry) => `${entry.verb} ${entry.resource}${entry.name ? `/${entry.name}` : ''}`).join('; '));
  else checks.pass('operator requests allowed by the rendered RBAC', `${operatorRequests.length} requests, 0 denied`);

  const token = release.tokenFor(account);
  await checks.check('the API stand-in refuses what the operator Role does not grant', async () => {
    const refusals = [
      ['DELETE', `/api/v1/namespaces/${namespace}/secrets/${secretName}`],
      ['GET', `/api/v1/namespaces/${namespace}/configmaps`],
      ['GET', '/api/v1/namespaces/kube-system/secrets'],
    ] as const;
    for (const [method, path] of refusals) {
      const code = await apiRequest(release, token, method, path);
      if (code !== 403) throw new Error(`${method} ${path} answered ${code}, not 403`);
    }
    const allowed = await apiRequest(release, token, 'GET', `/api/v1/namespaces/${namespace}/secrets/${secretName}`);
    if (allowed !== 200) throw new Error(`GET of the signing-key Secret answered ${allowed}`);
    return refusals.length;
  }, (count) => `${count} requests refused with 403, the granted one answered 200`);
}
