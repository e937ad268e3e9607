import {
  createAccessTokenVerifier,
  createSessionRevocationWriter,
  startSessionRevocations,
  type AccessTokenVerifier,
  type SessionRevocationWriter,
} from '@parley/auth-middleware';
import type { ResourceStack } from '@parley/lifecycle';
import type { Logger } from '@parley/logger';
import type { AuthConfig } from '../config.js';
import { createAccessTokenSigner, type AccessTokenSigner } from '../sessions/access-token-signer.js';
import { RefreshTokenService } from '../sessions/refresh-token-service.js';
import type { AuthStores } from './auth-stores.js';

export interface SessionWiring {
  refreshTokens: RefreshTokenService;
  sessionWriter: SessionRevocationWriter;
  signer: AccessTokenSigner;
  verifier: AccessTokenVerifier;
}

const EXPIRED_TOKEN_PURGE_MS = 3_600_000;

/** Tokens both ways: refresh tokens (purged hourly), the access-token signer and verifier, revocations. */
export function wireSessions(config: AuthConfig, logger: Logger, stores: AuthStores, resources: ResourceStack): SessionWiring {
  const { redis, signingKeys } = stores;
  const refreshTokens = new RefreshTokenService(stores.dataSource, {
    ttlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    reuseGraceSeconds: config.REFRESH_REUSE_GRACE_SECONDS,
  });
  const sessionWriter = createSessionRevocationWriter({
    redis,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  const signer = createAccessTokenSigner({
    keys: signingKeys,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    notBefore: (userId) => sessionWriter.notBefore(userId),
    logger,
  });
  const sessionRevocations = startSessionRevocations({ redis, redisUrl: config.REDIS_URL, redisKeyPrefix: config.REDIS_KEY_PREFIX, logger });
  resources.add('session-revocations', () => sessionRevocations.close());
  const verifier = createAccessTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    keys: { resolver: signingKeys.resolver },
    sessions: sessionRevocations,
  });
  return { refreshTokens, sessionWriter, signer, verifier };
}

/** Deletes expired refresh tokens every hour (registered for closing). */
export function startTokenPurge(refreshTokens: RefreshTokenService, logger: Logger, resources: ResourceStack): void {
  const purge = setInterval(() => {
    refreshTokens.purgeExpired().catch((error: unknown) => logger.warn({ err: error }, 'purging expired refresh tokens failed'));
  }, EXPIRED_TOKEN_PURGE_MS);
  purge.unref();
  resources.add('token-purge', () => clearInterval(purge));
}
