import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';

export interface GeneratedKeyOptions {
  /** Creation time in epoch seconds (default: now). */
  iat?: number;
  /** Do not sign before this time (epoch seconds). */
  nbf?: number;
}

/** A new private signing-key JWK in the key-file format (`kid`, `alg`, `use`, `iat`, `nbf`). */
export async function createSigningKeyJwk(options: GeneratedKeyOptions = {}): Promise<Record<string, unknown> & { kid: string }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const kid = `${new Date(iat * 1000).toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(6).toString('hex')}`;
  return { ...jwk, kid, alg: 'ES256', use: 'sig', iat, ...(options.nbf !== undefined ? { nbf: options.nbf } : {}) };
}

/**
 * Writes a new key as `<kid>.json` (mode 0600) in `dir`, atomically: a dot-named temporary
 * file (ignored by the loader) renamed into place, so no reader ever sees half a key.
 */
export async function generateSigningKeyFile(dir: string, options: GeneratedKeyOptions = {}): Promise<string> {
  const jwk = await createSigningKeyJwk(options);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.${jwk.kid}.json.tmp`);
  await writeFile(temporary, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await rename(temporary, join(dir, `${jwk.kid}.json`));
  return jwk.kid;
}
