import { CompactSign, compactVerify, importJWK, type CryptoKey } from 'jose';
import type { PublicJwk } from '@parley/contracts';
import { pickActiveKey } from './active-key.js';
import { parseSigningKeyFile, SigningKeyFileError, type SigningKeyFile } from './key-file.js';

/** One key file, parsed and imported: what a signer and a verifier work with. */
export interface SigningKey {
  kid: string;
  /** Creation time, epoch seconds: the newest usable private key signs. */
  iat: number;
  /** Epoch seconds before which the key must not sign (published ahead of a rotation). */
  nbf?: number;
  /** The members anyone may see; published in the JWKS. */
  publicJwk: PublicJwk;
  /** Absent for a public-only key, which only verifies. */
  privateKey?: CryptoKey;
}

/** A key that may sign right now. */
export type ActiveSigningKey = SigningKey & { privateKey: CryptoKey };

/**
 * Imports a parsed key file. A private key must match its public half, checked by signing and
 * verifying a probe, so a file with a foreign `d` never signs a token nobody can verify.
 */
export async function importSigningKeyFile(file: SigningKeyFile): Promise<SigningKey> {
  const { jwk, kid } = file;
  const publicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' } as const;
  let publicKey;
  try {
    publicKey = await importJWK(publicJwk, 'ES256');
  } catch (error) {
    throw new SigningKeyFileError(`not a usable P-256 public key (${(error as Error).message})`);
  }
  const key: SigningKey = { kid, iat: file.iat, publicJwk, ...(file.nbf !== undefined ? { nbf: file.nbf } : {}) };
  if (jwk.d === undefined) return key;
  try {
    key.privateKey = await importJWK({ ...publicJwk, d: jwk.d }, 'ES256');
    const probe = await new CompactSign(new TextEncoder().encode('parley-key-probe'))
      .setProtectedHeader({ alg: 'ES256' })
      .sign(key.privateKey);
    await compactVerify(probe, publicKey);
  } catch (error) {
    throw new SigningKeyFileError(`private key "d" is unusable or does not match x/y (${(error as Error).message})`);
  }
  return key;
}

/** Parses and imports one key file's text. Throws `SigningKeyFileError`. */
export async function loadSigningKey(text: string, fileName: string): Promise<SigningKey> {
  return importSigningKeyFile(parseSigningKeyFile(text, fileName));
}

/** The key that signs now: the highest-ranked private key whose `nbf` has passed. */
export function activeSigningKey(keys: Iterable<SigningKey>, nowSeconds: number): ActiveSigningKey | undefined {
  return pickActiveKey(keys, (key) => key.privateKey !== undefined && (key.nbf ?? 0) <= nowSeconds) as ActiveSigningKey | undefined;
}
