import { join, resolve } from 'node:path';
import type { Express } from 'express';
import { createAccessTokenVerifier, createSessionRevocationWriter, startSessionRevocations } from '@parley/auth-middleware';
import { createDatabaseConnection, createSchemaVersionCheck } from '@parley/db';
import { createHealthRouter } from '@parley/health';
import { createAdminApp, createHttpApp, finishHttpApp, openApiHandler, requireDatabase } from '@parley/http';
import type { ServableApp } from '@parley/lifecycle';
import { createLogger, type Logger } from '@parley/logger';
import { authRateLimitPrefix } from '@parley/keyspace';
import { createMailDelivery, mailTransportFor } from '@parley/mail';
import { createServiceMetrics } from '@parley/metrics';
import { createRateLimit } from '@parley/rate-limit';
import { createProducer, createQueueMetrics, startConsumer } from '@parley/queues';
import { closeRedis, createRedis } from '@parley/redis';
import { AccountService } from './accounts/account-service.js';
import { accountRoutes } from './accounts/account-routes.js';
import { accountSettingsRoutes } from './accounts/account-settings-routes.js';
import { AccountSettingsService } from './accounts/account-settings-service.js';
import { LoginThrottle } from './accounts/login-throttle.js';
import { buildAuthApiDocument } from './api-document.js';
import { createAuthMetrics } from './auth-metrics.js';
import type { AuthConfig } from './config.js';
import { CredentialRepository } from './credentials/credential-repository.js';
import { createPasswordHasher } from './credentials/password-hasher.js';
import { createAuthDataSource } from './database.js';
import { createChatMembershipsClient } from './outbox/chat-memberships-client.js';
import { createOutboxRelay } from './outbox/outbox-relay.js';
import { OutboxRepository } from './outbox/outbox-repository.js';
import { createProfileProvisioningClient } from './outbox/profile-provisioning-client.js';
import { createAccessTokenSigner } from './sessions/access-token-signer.js';
import { RefreshTokenService } from './sessions/refresh-token-service.js';
import { jwksRoutes } from './signing-keys/jwks-routes.js';
import { startSigningKeyStore, type SigningKeyStore } from './signing-keys/signing-key-store.js';
import { CodeRequestLimits } from './verification/code-request-limits.js';
import { EmailVerificationService } from './verification/email-verification-service.js';
import { OneTimeCodes } from './verification/one-time-codes.js';
import { PasswordResetService } from './verification/password-reset-service.js';
import { verificationRoutes } from './verification/verification-routes.js';

export interface AuthApp extends ServableApp {
  app: Express;
  handler: Express;
  /** /metrics, /healthz and /readyz, served on METRICS_PORT by main.ts. */
  adminHandler: Express;
  /** The signing keys in use (tests trigger reloads and inspect the active kid). */
  signingKeys: SigningKeyStore;
}

export interface AuthAppOptions {
  logger?: Logger;
}

const REGISTER_WINDOW_SECONDS = 3_600;
const EXPIRED_TOKEN_PURGE_MS = 3_600_000;
const CLOSE_STEP_TIMEOUT_MS = 5_000;

/** Builds the auth service: its resources, background work and Express app. */
export async function createAuthApp(config: AuthConfig, options: AuthAppOptions = {}): Promise<AuthApp> {
  const logger = options.logger ?? createLogger({ service: 'auth', level: config.LOG_LEVEL });
  const dataDir = resolve(config.DATA_DIR);
  const cleanup: Array<{ name: string; run: () => Promise<unknown> | unknown }> = [];
  const close = async () => {
    for (const step of cleanup.splice(0).reverse()) {
      try {
        await Promise.race([
          step.run(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), CLOSE_STEP_TIMEOUT_MS).unref()),
        ]);
      } catch (error) {
        logger.warn({ err: error, step: step.name }, 'close step failed');
      }
    }
  };

  try {
    // Starts while PostgreSQL is down, like the other services: not ready (503) until it connects.
    const dataSource = createAuthDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
    const database = createDatabaseConnection(dataSource, { logger, migrateOnStart: config.DB_MIGRATE_ON_START });
    cleanup.push({ name: 'database', run: () => database.close() });
    await database.ready().catch(() => {
      // Logged by the connection, which keeps retrying with backoff.
    });

    const redis = createRedis({ url: config.REDIS_URL, name: 'auth', logger });
    cleanup.push({ name: 'redis', run: () => closeRedis(redis) });

    const signingKeys = await startSigningKeyStore({
      dir: resolve(config.SIGNING_KEYS_DIR ?? join(dataDir, 'signing-keys')),
      generate: config.SIGNING_KEYS_GENERATE,
      reloadMs: config.SIGNING_KEYS_RELOAD_MS,
      logger,
    });
    cleanup.push({ name: 'signing-keys', run: () => signingKeys.close() });

    // Mail: the queue on its own connection; the worker (blocking reads) needs another.
    const queueRedis = createRedis({ url: config.REDIS_URL, name: 'auth-mail-queue', logger });
    cleanup.push({ name: 'mail-queue-redis', run: () => closeRedis(queueRedis) });
    const mail = createProducer('mail', { connection: queueRedis, installPrefix: config.REDIS_KEY_PREFIX, logger });
    cleanup.push({ name: 'mail-queue', run: () => mail.close() });
    const metrics = createServiceMetrics('auth');
    if (config.MAIL_WORKER_ENABLED) {
      const workerRedis = createRedis({ url: config.REDIS_URL, name: 'auth-mail-worker', logger, maxRetriesPerRequest: null });
      cleanup.push({ name: 'mail-worker-redis', run: () => closeRedis(workerRedis) });
      const deliver = createMailDelivery({ transport: mailTransportFor(config), from: config.MAIL_FROM, logger });
      const worker = startConsumer('mail', (job) => deliver(job.data, job.id), {
        connection: workerRedis,
        installPrefix: config.REDIS_KEY_PREFIX,
        logger,
        metrics: createQueueMetrics(metrics.registry),
        concurrency: 4,
      });
      cleanup.push({ name: 'mail-worker', run: () => worker.close() });
    }

    const authMetrics = createAuthMetrics(metrics.registry);
    const credentials = new CredentialRepository(dataSource);
    const hasher = createPasswordHasher({
      memoryCost: config.ARGON2_MEMORY_KIB,
      timeCost: config.ARGON2_TIME_COST,
      parallelism: config.ARGON2_PARALLELISM,
    });
    const refreshTokens = new RefreshTokenService(dataSource, {
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
    cleanup.push({ name: 'session-revocations', run: () => sessionRevocations.close() });
    const verifier = createAccessTokenVerifier({
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      keys: { resolver: signingKeys.resolver },
      sessions: sessionRevocations,
    });

    const outbox = new OutboxRepository(dataSource);
    const relay = createOutboxRelay({
      repository: outbox,
      provisioning: config.USER_SERVICE_URL
        ? createProfileProvisioningClient({ userServiceUrl: config.USER_SERVICE_URL, internalToken: config.INTERNAL_API_TOKEN })
        : undefined,
      chat: config.CHAT_SERVICE_URL
        ? createChatMembershipsClient({ chatServiceUrl: config.CHAT_SERVICE_URL, internalToken: config.INTERNAL_API_TOKEN })
        : undefined,
      intervalMs: config.OUTBOX_RELAY_INTERVAL_MS,
      logger,
    });
    relay.start();
    cleanup.push({ name: 'outbox-relay', run: () => relay.stop() });

    const purge = setInterval(() => {
      refreshTokens.purgeExpired().catch((error: unknown) => logger.warn({ err: error }, 'purging expired refresh tokens failed'));
    }, EXPIRED_TOKEN_PURGE_MS);
    purge.unref();
    cleanup.push({ name: 'token-purge', run: () => clearInterval(purge) });

    const throttle = new LoginThrottle({
      redis,
      redisKeyPrefix: config.REDIS_KEY_PREFIX,
      perAccountIp: config.LOGIN_LIMIT_PER_ACCOUNT_IP,
      perIp: config.LOGIN_LIMIT_PER_IP,
      windowSeconds: config.LOGIN_LIMIT_WINDOW_SECONDS,
      metrics: authMetrics,
    });
    const accounts = new AccountService({
      dataSource,
      credentials,
      hasher,
      refreshTokens,
      signer,
      outbox,
      relay,
      throttle,
      sessions: sessionWriter,
      registerLimit: createRateLimit({
        redis,
        keyPrefix: authRateLimitPrefix(config.REDIS_KEY_PREFIX, 'register-ip'),
        points: config.REGISTER_LIMIT_PER_IP,
        durationSeconds: REGISTER_WINDOW_SECONDS,
      }),
      metrics: authMetrics,
      logger,
    });
    const codes = new OneTimeCodes(redis, config.REDIS_KEY_PREFIX);
    const codeLimits = new CodeRequestLimits({
      redis,
      redisKeyPrefix: config.REDIS_KEY_PREFIX,
      perAccount: config.CODE_REQUEST_LIMIT_PER_ACCOUNT,
      perIp: config.CODE_REQUEST_LIMIT_PER_IP,
      windowSeconds: config.CODE_REQUEST_LIMIT_WINDOW_SECONDS,
      metrics: authMetrics,
    });

    const health = createHealthRouter({
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

    const app = createHttpApp({ logger, metrics, health: health.router, corsOrigins: config.CORS_ORIGINS, publicMetrics: false });
    app.use(jwksRoutes(signingKeys));
    app.get('/api/v1/auth/openapi.json', openApiHandler(buildAuthApiDocument()));
    // Every account route reads PostgreSQL: 503 while it is unreachable (the JWKS above does not).
    app.use('/api/v1/auth', requireDatabase(database));
    app.use(
      '/api/v1/auth',
      accountRoutes({
        accounts,
        verifier,
        cookie: { secure: config.COOKIE_SECURE, maxAgeSeconds: config.REFRESH_TOKEN_TTL_SECONDS },
      }),
    );
    app.use(
      '/api/v1/auth',
      accountSettingsRoutes({
        settings: new AccountSettingsService({
          dataSource,
          credentials,
          hasher,
          refreshTokens,
          outbox,
          relay,
          throttle,
          sessions: sessionWriter,
          metrics: authMetrics,
          logger,
        }),
        verifier,
        cookie: { secure: config.COOKIE_SECURE, maxAgeSeconds: config.REFRESH_TOKEN_TTL_SECONDS },
      }),
    );
    app.use(
      '/api/v1/auth',
      verificationRoutes({
        verifier,
        emailVerification: new EmailVerificationService({ credentials, codes, limits: codeLimits, mail }),
        passwordReset: new PasswordResetService({
          dataSource,
          credentials,
          hasher,
          refreshTokens,
          codes,
          limits: codeLimits,
          mail,
          sessions: sessionWriter,
          logger,
        }),
      }),
    );
    finishHttpApp(app);

    return {
      app,
      handler: app,
      adminHandler: createAdminApp({ metrics, health: health.router }),
      signingKeys,
      markDraining: health.markDraining,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
