import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { accessTokenClaimsSchema, type Role } from '@parley/contracts';
import { UnauthorizedError } from '@parley/errors';
import type { SessionRevocations } from './session-revocations.js';

/** Who is calling, as proven by a verified access token of a session that has not ended. */
export interface Principal {
  userId: string;
  username: string;
  roles: Role[];
  /** `sid`: the session (refresh-token family). */
  sessionId: string;
  /** `iat` and `exp`, epoch seconds. */
  issuedAt: number;
  expiresAt: number;
}

export interface AccessTokenVerifier {
  verify(token: string): Promise<Principal>;
}

export interface VerifierSettings {
  issuer: string;
  audience: string;
  /** Where public keys come from: the auth service's JWKS URL, or a key resolver (the auth service itself). */
  keys: { jwksUrl: string } | { resolver: JWTVerifyGetKey };
  /** Revoked sessions and per-user not-before times (logout, logout-all, password reset, role change). */
  sessions: SessionRevocations;
}

/**
 * Verifies Parley access tokens: ES256 only (so `alg: none` and HS256-with-the-public-key
 * tricks fail), with issuer, audience and expiry checked, the claims shape validated, and the
 * token's session checked against revocations (a signed, unexpired token of an ended session is
 * refused like a forged one).
 */
export function createAccessTokenVerifier(settings: VerifierSettings): AccessTokenVerifier {
  const keys =
    'jwksUrl' in settings.keys
      ? createRemoteJWKSet(new URL(settings.keys.jwksUrl), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000 })
      : settings.keys.resolver;

  return {
    async verify(token) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: ['ES256'],
          issuer: settings.issuer,
          audience: settings.audience,
          requiredClaims: ['exp', 'iat', 'sub', 'sid'],
          clockTolerance: 5,
        }));
      } catch (error) {
        if (isKeySourceUnavailable(error)) throw error;
        throw new UnauthorizedError('The access token is invalid or expired');
      }
      const claims = accessTokenClaimsSchema.safeParse(payload);
      if (!claims.success) throw new UnauthorizedError('The access token is invalid or expired');
      const principal: Principal = {
        userId: claims.data.sub,
        username: claims.data.username,
        roles: claims.data.roles,
        sessionId: claims.data.sid,
        issuedAt: claims.data.iat,
        expiresAt: claims.data.exp,
      };
      if (await settings.sessions.check(principal)) throw new UnauthorizedError(SESSION_ENDED);
      return principal;
    },
  };
}

export const SESSION_ENDED = 'The session has ended; sign in again';

/** A JWKS fetch failure is our outage, not the caller's fault: let it surface as 503. */
function isKeySourceUnavailable(error: unknown): boolean {
  return error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError);
}
