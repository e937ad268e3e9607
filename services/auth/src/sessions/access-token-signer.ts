import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Role } from '@parley/contracts';
import { UnavailableError } from '@parley/errors';
import type { SigningKeyStore } from '../signing-keys/signing-key-store.js';

export interface AccessTokenSubject {
  id: string;
  username: string;
  roles: Role[];
}

export interface AccessTokenSigner {
  /** Lifetime of the tokens it signs, in seconds. */
  readonly ttlSeconds: number;
  sign(subject: AccessTokenSubject): Promise<string>;
}

export interface AccessTokenSignerSettings {
  keys: SigningKeyStore;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** ES256 access tokens signed with the currently active key, its `kid` in the header. */
export function createAccessTokenSigner(settings: AccessTokenSignerSettings): AccessTokenSigner {
  return {
    ttlSeconds: settings.ttlSeconds,
    async sign(subject) {
      const key = settings.keys.activeKey();
      if (!key) throw new UnavailableError('No signing key is available; try again shortly');
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ username: subject.username, roles: subject.roles })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
        .setSubject(subject.id)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + settings.ttlSeconds)
        .setJti(randomUUID())
        .sign(key.privateKey);
    },
  };
}
