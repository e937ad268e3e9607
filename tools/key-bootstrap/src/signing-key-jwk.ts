import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';

/** A private EC P-256 signing key in the auth service's key-file format (see SIGNING_KEYS_DIR). */
export interface SigningKeyJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
  /** Creation time, epoch seconds: the auth service signs with the newest usable key. */
  iat: number;
}

/**
 * Generates a new ES256 private JWK with `kid` `<yyyymmdd>-<12 hex>` (the auth service's own
 * naming), `alg`, `use` and `iat`.
 */
export async function createSigningKeyJwk(now: Date = new Date()): Promise<SigningKeyJwk> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || !jwk.d) {
    throw new Error('jose returned an unexpected JWK for ES256');
  }
  const iat = Math.floor(now.getTime() / 1000);
  const kid = `${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(6).toString('hex')}`;
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d, kid, alg: 'ES256', use: 'sig', iat };
}

/** Secret `data` for one key: the file `<kid>.json`, base64-encoded as the API expects. */
export function signingKeySecretData(jwk: SigningKeyJwk): Record<string, string> {
  return { [`${jwk.kid}.json`]: Buffer.from(`${JSON.stringify(jwk, null, 2)}\n`).toString('base64') };
}
