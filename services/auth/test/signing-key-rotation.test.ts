import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningKeyJwk } from '@parley/signing-keys';
import { eventually, registerAccount, sleep, startAuthTestApp, type AuthTestApp, type TestAccount } from './support/auth-test-app.js';

/** Writes a key file the way an operator's tooling should: whole file, renamed into place. */
async function dropKeyFile(dir: string, name: string, content: unknown): Promise<void> {
  const temporary = join(dir, `.${name}.tmp`);
  await writeFile(temporary, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
  await rename(temporary, join(dir, name));
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

describe('signing key rotation without restart', () => {
  let app: AuthTestApp;
  let account: TestAccount;

  beforeAll(async () => {
    app = await startAuthTestApp({ SIGNING_KEYS_RELOAD_MS: '200' }, 'auth_keys');
    account = await registerAccount(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  const login = async () => {
    const response = await app.post('/api/v1/auth/login', { login: account.username, password: account.password });
    expect(response.status).toBe(200);
    return response.body.accessToken as string;
  };
  const publishedKids = async () => ((await app.get('/.well-known/jwks.json')).body.keys as Array<{ kid: string }>).map((key) => key.kid);
  const me = (token: string) => app.get('/api/v1/auth/me', { token });

  it('signs with a newly dropped key within the reload interval, verifies old tokens while their key remains, and rejects them once it is removed', async () => {
    const oldToken = await login();
    const [oldFile] = await readdir(app.signingKeysDir);
    const oldKey = JSON.parse(await readFile(join(app.signingKeysDir, oldFile ?? ''), 'utf8')) as { kid: string; iat: number };
    expect(kidOf(oldToken)).toBe(oldKey.kid);

    const next = await createSigningKeyJwk({ iat: oldKey.iat + 1 });
    await dropKeyFile(app.signingKeysDir, `${next.kid}.json`, next);

    const newToken = await eventually(
      async () => {
        const token = await login();
        return kidOf(token) === next.kid ? token : undefined;
      },
      3_000,
      'tokens signed with the new key',
    );
    expect(await publishedKids()).toEqual([next.kid, oldKey.kid]);
    expect((await me(oldToken)).status).toBe(200);
    expect((await me(newToken)).status).toBe(200);

    await rm(join(app.signingKeysDir, oldFile ?? ''));
    await eventually(async () => ((await me(oldToken)).status === 401 ? true : undefined), 3_000, 'old tokens to be rejected');
    expect(await publishedKids()).toEqual([next.kid]);
    expect((await me(newToken)).status).toBe(200);
  });

  it('publishes a key whose nbf lies in the future but does not sign with it yet', async () => {
    const current = kidOf(await login());
    const upcoming = await createSigningKeyJwk({ iat: Math.floor(Date.now() / 1000) + 100, nbf: Math.floor(Date.now() / 1000) + 3_600 });
    await dropKeyFile(app.signingKeysDir, `${upcoming.kid}.json`, upcoming);
    await eventually(async () => ((await publishedKids()).includes(upcoming.kid) ? true : undefined), 3_000, 'the upcoming key to be published');
    expect(kidOf(await login())).toBe(current);
  });

  it('verifies with a public-only key file but never signs with it', async () => {
    const current = kidOf(await login());
    const { d: _private, ...publicOnly } = await createSigningKeyJwk({ iat: Math.floor(Date.now() / 1000) + 200 });
    await dropKeyFile(app.signingKeysDir, `${publicOnly.kid}.json`, publicOnly);
    await eventually(async () => ((await publishedKids()).includes(publicOnly.kid) ? true : undefined), 3_000, 'the public key');
    expect(kidOf(await login())).toBe(current);
  });

  it('skips bad files, keeps the last good version of a file that turns bad, and keeps serving', async () => {
    const token = await login();
    const current = kidOf(token) ?? '';
    await dropKeyFile(app.signingKeysDir, 'garbage.json', '{ not json');
    await dropKeyFile(app.signingKeysDir, 'rsa.json', { kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'rsa' });
    await dropKeyFile(app.signingKeysDir, 'mismatch.json', {
      ...(await createSigningKeyJwk({ iat: Math.floor(Date.now() / 1000) + 500 })),
      d: (await createSigningKeyJwk()).d,
      kid: 'mismatch',
    });
    // The active key's file is overwritten with garbage (say, a botched edit).
    await dropKeyFile(app.signingKeysDir, `${current}.json`, 'oops');
    await app.auth.signingKeys.reload();
    await sleep(300);

    const kids = await publishedKids();
    expect(kids).toContain(current);
    expect(kids).not.toContain('rsa');
    expect(kids).not.toContain('mismatch');
    expect(kidOf(await login())).toBe(current);
    expect((await me(token)).status).toBe(200);
    expect((await app.get('/readyz')).status).toBe(200);
  });
});

describe('signing keys from a Kubernetes Secret volume', () => {
  let app: AuthTestApp;
  let secretDir: string;

  /** Kubelet's layout: `..<timestamp>/` holds the files, `..data` points at it, `<key>` → `..data/<key>`. */
  async function publishSecret(version: string, files: Record<string, unknown>): Promise<void> {
    const versionDir = join(secretDir, `..${version}`);
    await mkdir(versionDir);
    for (const [name, content] of Object.entries(files)) await writeFile(join(versionDir, name), JSON.stringify(content));
    await symlink(`..${version}`, join(secretDir, '..data_tmp'));
    await rename(join(secretDir, '..data_tmp'), join(secretDir, '..data'));
    for (const name of Object.keys(files)) {
      await symlink(join('..data', name), join(secretDir, name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    }
  }

  beforeAll(async () => {
    secretDir = await mkdtemp(join(tmpdir(), 'parley-secret-'));
  });
  afterAll(async () => {
    await app?.close();
    await rm(secretDir, { recursive: true, force: true });
  });

  it('reads keys through the symlinks, ignores dot-entries, and follows a swap of ..data', async () => {
    const first = await createSigningKeyJwk({ iat: 1_700_000_000 });
    await publishSecret('2024_01_01', { [`${first.kid}.json`]: first });
    app = await startAuthTestApp(
      { SIGNING_KEYS_DIR: secretDir, SIGNING_KEYS_GENERATE: 'false', SIGNING_KEYS_RELOAD_MS: '200' },
      'auth_keys_secret',
    );
    const account = await registerAccount(app);
    expect(kidOf(account.session.accessToken)).toBe(first.kid);
    expect(await readdir(secretDir)).toHaveLength(3);

    const second = await createSigningKeyJwk({ iat: 1_800_000_000 });
    await publishSecret('2024_02_01', { [`${first.kid}.json`]: first, [`${second.kid}.json`]: second });
    await eventually(
      async () => {
        const login = await app.post('/api/v1/auth/login', { login: account.username, password: account.password });
        return kidOf(login.body.accessToken) === second.kid ? true : undefined;
      },
      3_000,
      'the rotated Secret key to sign',
    );
    expect((await app.get('/api/v1/auth/me', { token: account.session.accessToken })).status).toBe(200);
  });
});
