import type { CryptoKey } from 'jose';
import type { PublicJwk } from '@parley/contracts';

/** One key of the signing-key directory, parsed and imported. */
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

/** The newest private key whose `nbf` has passed (ties broken by kid, so every pod agrees). */
export function pickActiveKey(keys: Iterable<SigningKey>, nowSeconds: number): ActiveSigningKey | undefined {
  let best: ActiveSigningKey | undefined;
  for (const key of keys) {
    if (!key.privateKey || (key.nbf ?? 0) > nowSeconds) continue;
    if (!best || key.iat > best.iat || (key.iat === best.iat && key.kid > best.kid)) {
      best = key as ActiveSigningKey;
    }
  }
  return best;
}
