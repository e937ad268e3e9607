import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { KeyFileJwk } from './signing-key-files.js';

/**
 * A new private ES256 key file: `kid` `<yyyymmdd>-<12 hex>` (the auth service's own naming),
 * `iat` and, for a key published ahead of its use, `nbf` (both epoch seconds).
 */
export async function generateSigningKey(iat: number, nbf?: number): Promise<KeyFileJwk & { kid: string }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || !jwk.d) throw new Error('jose returned an unexpected JWK for ES256');
  const kid = `${new Date(iat * 1000).toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(6).toString('hex')}`;
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d, kid, alg: 'ES256', use: 'sig', iat, ...(nbf !== undefined ? { nbf } : {}) };
}
