import { Router, type Express } from 'express';
import { createAccessTokenVerifier, requireAuth, startSessionRevocations } from '@parley/auth-middleware';
import { createHealthRouter } from '@parley/health';
import { createAdminApp, createHttpApp, finishHttpApp, openApiHandler, requireInternalToken, requireDatabase } from '@parley/http';
import { createResourceStack, type ServableApp } from '@parley/lifecycle';
import { createLogger, type Logger } from '@parley/logger';
import { createServiceMetrics } from '@parley/metrics';
import { closeRedis, createRedis } from '@parley/redis';
import { createDatabaseConnection, createSchemaVersionCheck, type DataSource } from '@parley/db';
import { createBlockEvents } from './block-events/block-events.js';
import { createBlockRouter } from './blocks/block-routes.js';
import { BlockService } from './blocks/block-service.js';
import { createInternalBlockRouter } from './blocks/internal-block-routes.js';
import type { UserServiceConfig } from './config.js';
import { createUserDataSource } from './database.js';
import { createFriendRequestNotifier } from './friends/friend-request-notifier.js';
import { createFriendRouter } from './friends/friend-routes.js';
import { createInternalFriendRouter } from './friends/internal-friend-routes.js';
import { FriendService } from './friends/friend-service.js';
import { buildUserOpenApiDocument } from './openapi-document.js';
import { createInternalProfileRouter } from './profiles/internal-profile-routes.js';
import { createProfileRouter, materialiseCallerProfile } from './profiles/profile-routes.js';
import { ProfileService } from './profiles/profile-service.js';
import { createWriteRateLimits } from './write-rate-limits.js';

export interface UserApp extends ServableApp {
  app: Express;
  /** /metrics, /healthz and /readyz, served on METRICS_PORT by main.ts. */
  adminHandler: Express;
  logger: Logger;
  dataSource: DataSource;
}

export interface UserAppOptions {
  logger?: Logger;
}

/**
 * Builds the whole user service: Express app, PostgreSQL and Redis connections. Starts even
 * when PostgreSQL is down (readiness then answers 503 until it is back). Migrations run here
 * only when DB_MIGRATE_ON_START is true; otherwise `migrate.js` runs them.
 */
export async function createUserApp(config: UserServiceConfig, options: UserAppOptions = {}): Promise<UserApp> {
  const logger = options.logger ?? createLogger({ service: 'user', level: config.LOG_LEVEL });
  const metrics = createServiceMetrics('user');
  const dataSource = createUserDataSource(config);
  const resources = createResourceStack({ logger });
  const database = createDatabaseConnection(dataSource, { logger, migrateOnStart: config.DB_MIGRATE_ON_START });
  resources.add('database', () => database.close());
  await database.ready().catch(() => {
    // Logged by the connection; requests answer 503 and readiness fails until it connects.
  });
  const redis = createRedis({ url: config.REDIS_URL, name: 'user', logger });
  resources.add('redis', () => closeRedis(redis));
  const notifier = createFriendRequestNotifier({ url: config.REDIS_URL, maxRetriesPerRequest: 2 }, config.REDIS_KEY_PREFIX, logger);
  resources.add('friend-request-notifier', () => notifier.close());

  const health = createHealthRouter({
    postgres: () => database.ping(),
    // Ready only once the users schema carries every migration this code needs.
    schema: createSchemaVersionCheck(() => database.ready()),
    redis: async () => {
      await redis.ping();
    },
  });
  const sessions = startSessionRevocations({ redis, redisUrl: config.REDIS_URL, redisKeyPrefix: config.REDIS_KEY_PREFIX, logger });
  resources.add('session-revocations', () => sessions.close());
  const verifier = createAccessTokenVerifier({
    keys: { jwksUrl: config.JWKS_URL },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    sessions,
  });
  const limits = createWriteRateLimits({
    redis,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    writesPerMinute: config.WRITE_LIMIT_PER_MINUTE,
    friendRequestsPerMinute: config.FRIEND_REQUEST_LIMIT_PER_MINUTE,
  });
  const profiles = new ProfileService(dataSource);
  const friends = new FriendService(dataSource);
  const blocks = new BlockService(dataSource);

  const app = createHttpApp({ logger, metrics, health: health.router, corsOrigins: config.CORS_ORIGINS, publicMetrics: false });

  const users = Router();
  users.get('/openapi.json', openApiHandler(buildUserOpenApiDocument()));
  users.use(requireAuth(verifier), requireDatabase(database), materialiseCallerProfile(profiles));
  users.use(createFriendRouter({ friends, notifier, ...limits }));
  const blockEvents = createBlockEvents(redis, config.REDIS_KEY_PREFIX, logger);
  users.use(createBlockRouter({ blocks, events: blockEvents, writeLimit: limits.writeLimit }));
  users.use(createProfileRouter({ profiles, writeLimit: limits.writeLimit }));
  app.use('/api/v1/users', users);

  // Never routed by the ingress; guarded by the shared service token when one is configured.
  const internal = Router();
  internal.use(requireInternalToken(config.INTERNAL_API_TOKEN), requireDatabase(database));
  internal.use(createInternalProfileRouter(profiles, blockEvents));
  internal.use(createInternalBlockRouter(blocks));
  internal.use(createInternalFriendRouter(friends));
  app.use('/internal/v1', internal);

  finishHttpApp(app);

  return {
    app,
    handler: app,
    adminHandler: createAdminApp({ metrics, health: health.router }),
    logger,
    dataSource,
    markDraining: health.markDraining,
    // In reverse order of creation, each close bounded (docs/decisions: run-service-and-resource-stack).
    close: async () => void (await resources.close()),
  };
}
