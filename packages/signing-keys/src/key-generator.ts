import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { encodeSigningKeyFile, signingKeyFileName, type PrivateSigningKeyJwk } from './key-file.js';

export interface NewSigningKeyOptions {
  /** Creation time in epoch seconds (default: now). */
  iat?: number;
  /** Do not sign before this time (epoch seconds): a key published ahead of a rotation. */
  nbf?: number;
}

/**
 * A new private ES256 key in the key-file format, `kid` `<yyyymmdd>-<12 hex>`: sortable by
 * day for a reader, unique without coordination between writers.
 */
export async function createSigningKeyJwk(options: NewSigningKeyOptions = {}): Promise<PrivateSigningKeyJwk> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || !jwk.d) {
    throw new Error('jose returned an unexpected JWK for ES256');
  }
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const kid = `${new Date(iat * 1000).toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(6).toString('hex')}`;
  return {
    kty: 'EC',
    crv: 'P-256',
    x: jwk.x,
    y: jwk.y,
    d: jwk.d,
    kid,
    alg: 'ES256',
    use: 'sig',
    iat,
    ...(options.nbf !== undefined ? { nbf: options.nbf } : {}),
  };
}

/**
 * Writes a key as `<kid>.json` (mode 0600) in `dir`, atomically: a dot-named temporary file
 * (skipped by every loader) renamed into place, so no reader ever sees half a key.
 */
export async function writeSigningKeyFile(dir: string, jwk: PrivateSigningKeyJwk): Promise<string> {
  const fileName = signingKeyFileName(jwk.kid);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.${fileName}.tmp`);
  await writeFile(temporary, encodeSigningKeyFile(jwk), { mode: 0o600, flag: 'wx' });
  await rename(temporary, join(dir, fileName));
  return fileName;
}
