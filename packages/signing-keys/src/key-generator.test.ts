import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSigningKeyFile } from './key-file.js';
import { createSigningKeyJwk, writeSigningKeyFile } from './key-generator.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('createSigningKeyJwk', () => {
  it('names the key <yyyymmdd>-<12 hex> after its iat and stamps nbf when asked', async () => {
    const jwk = await createSigningKeyJwk({ iat: Date.UTC(2026, 2, 4, 5, 6, 7) / 1000, nbf: 1_800_000_000 });
    expect(jwk.kid).toMatch(/^20260304-[0-9a-f]{12}$/);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', iat: 1_772_600_767, nbf: 1_800_000_000 });
  });

  it('never returns the same key twice', async () => {
    const [a, b] = await Promise.all([createSigningKeyJwk(), createSigningKeyJwk()]);
    expect(a.d).not.toBe(b.d);
    expect(a.kid).not.toBe(b.kid);
  });
});

describe('writeSigningKeyFile', () => {
  it('writes <kid>.json readable only by its owner, leaving no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signing-keys-'));
    dirs.push(dir);
    const jwk = await createSigningKeyJwk();
    const fileName = await writeSigningKeyFile(join(dir, 'keys'), jwk);
    expect(fileName).toBe(`${jwk.kid}.json`);
    expect(await readdir(join(dir, 'keys'))).toEqual([fileName]);
    expect((await stat(join(dir, 'keys', fileName))).mode & 0o777).toBe(0o600);
    expect(parseSigningKeyFile(await readFile(join(dir, 'keys', fileName), 'utf8'), fileName).jwk).toEqual(jwk);
  });

  it('refuses a kid that would write outside the directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signing-keys-'));
    dirs.push(dir);
    const jwk = { ...(await createSigningKeyJwk()), kid: '../outside' };
    await expect(writeSigningKeyFile(dir, jwk)).rejects.toThrow(/kid must be/);
    expect(await readdir(dir)).toEqual([]);
  });
});
