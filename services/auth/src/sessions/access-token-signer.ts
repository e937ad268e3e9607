import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Role } from '@parley/contracts';
import { UnavailableError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import type { SigningKeyStore } from '../signing-keys/signing-key-store.js';

export interface AccessTokenSubject {
  id: string;
  username: string;
  roles: Role[];
  /** The session (refresh-token family): the `sid` claim. */
  sessionId: string;
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
  /**
   * The user's not-before (epoch seconds, 0 for none): tokens issued before it are refused, so a
   * token signed in the same second as a revocation but after it is dated at it instead.
   */
  notBefore(userId: string): Promise<number>;
  logger: Logger;
}

/** ES256 access tokens signed with the currently active key, its `kid` in the header. */
export function createAccessTokenSigner(settings: AccessTokenSignerSettings): AccessTokenSigner {
  const notBeforeOf = async (userId: string): Promise<number> => {
    try {
      return await settings.notBefore(userId);
    } catch (error) {
      // Dating the token `now` can only make it refused (then the client refreshes again).
      settings.logger.warn({ err: error, userId }, 'cannot read the not-before of a user; the token is dated now');
      return 0;
    }
  };
  return {
    ttlSeconds: settings.ttlSeconds,
    async sign(subject) {
      const key = settings.keys.activeKey();
      if (!key) throw new UnavailableError('No signing key is available; try again shortly');
      const now = Math.floor(Date.now() / 1000);
      const issuedAt = Math.max(now, await notBeforeOf(subject.id));
      return new SignJWT({ username: subject.username, roles: subject.roles, sid: subject.sessionId })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
        .setSubject(subject.id)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(now + settings.ttlSeconds)
        .setJti(randomUUID())
        .sign(key.privateKey);
    },
  };
}
