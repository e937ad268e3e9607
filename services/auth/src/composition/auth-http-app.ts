import type { Express } from 'express';
import type { AccessTokenVerifier } from '@parley/auth-middleware';
import { createSchemaVersionCheck } from '@parley/db';
import { createHealthRouter, type HealthRouter } from '@parley/health';
import { createHttpApp, finishHttpApp, openApiHandler, requireDatabase } from '@parley/http';
import type { Logger } from '@parley/logger';
import type { ServiceMetrics } from '@parley/metrics';
import { accountRoutes } from '../accounts/account-routes.js';
import { accountSettingsRoutes } from '../accounts/account-settings-routes.js';
import { buildAuthApiDocument } from '../api-document.js';
import type { AuthConfig } from '../config.js';
import { jwksRoutes } from '../signing-keys/jwks-routes.js';
import { verificationRoutes } from '../verification/verification-routes.js';
import type { AccountWiring } from './account-wiring.js';
import type { AuthStores } from './auth-stores.js';

/** Readiness: PostgreSQL with the auth schema's migrations, Redis, and a usable signing key. */
export function createAuthHealth(stores: AuthStores): HealthRouter {
  const { database, redis, signingKeys } = stores;
  return createHealthRouter({
    postgres: () => database.ping(),
    // Ready only once the auth schema carries every migration this code needs.
    schema: createSchemaVersionCheck(() => database.ready()),
    redis: async () => {
      await redis.ping();
    },
    signingKey: async () => {
      if (!signingKeys.activeKey()) throw new Error('no usable signing key');
    },
  });
}

export interface AuthHttpAppDeps {
  config: AuthConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  health: HealthRouter;
  stores: AuthStores;
  verifier: AccessTokenVerifier;
  accounts: AccountWiring;
}

/** The public routes: JWKS, the API document, and the account, settings and verification routes. */
export function createAuthHttpApp(deps: AuthHttpAppDeps): Express {
  const { config, verifier } = deps;
  const cookie = { secure: config.COOKIE_SECURE, maxAgeSeconds: config.REFRESH_TOKEN_TTL_SECONDS };
  const app = createHttpApp({ logger: deps.logger, metrics: deps.metrics, health: deps.health.router, corsOrigins: config.CORS_ORIGINS, publicMetrics: false });
  app.use(jwksRoutes(deps.stores.signingKeys));
  app.get('/api/v1/auth/openapi.json', openApiHandler(buildAuthApiDocument()));
  // Every account route reads PostgreSQL: 503 while it is unreachable (the JWKS above does not).
  app.use('/api/v1/auth', requireDatabase(deps.stores.database));
  app.use('/api/v1/auth', accountRoutes({ accounts: deps.accounts.accounts, verifier, cookie }));
  app.use('/api/v1/auth', accountSettingsRoutes({ settings: deps.accounts.settings, verifier, cookie }));
  app.use(
    '/api/v1/auth',
    verificationRoutes({ verifier, emailVerification: deps.accounts.emailVerification, passwordReset: deps.accounts.passwordReset }),
  );
  finishHttpApp(app);
  return app;
}
