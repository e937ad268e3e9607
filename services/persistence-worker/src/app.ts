import type { Worker } from 'bullmq';
import type { Express } from 'express';
import { createHealthRouter } from '@parley/health';
import { createDatabaseConnection, createSchemaVersionCheck } from '@parley/db';
import { createAdminApp, createHttpApp, finishHttpApp } from '@parley/http';
import type { ServableApp } from '@parley/lifecycle';
import { createLogger, type Logger } from '@parley/logger';
import { createServiceMetrics, type Registry } from '@parley/metrics';
import { ALL_QUEUES, createProducer, createQueueMetrics, openQueue, startConsumer } from '@parley/queues';
import { closeRedis, createRedis } from '@parley/redis';
import type { PersistenceWorkerConfig } from './config.js';
import { createWorkerDataSource } from './database.js';
import { startMailConsumer } from './mail/mail-consumer.js';
import { createPersistMessagesProcessor } from './messages/persist-messages-processor.js';
import { createNotificationProcessor } from './notifications/notification-processor.js';
import { createJobMetrics } from './queues/job-metrics.js';
import { checkRedisSettings, type RedisSettingsReport } from './redis-settings/redis-settings-check.js';

export interface PersistenceWorkerApp extends ServableApp {
  app: Express;
  /** /metrics, /healthz and /readyz, served on METRICS_PORT by main.ts. */
  adminHandler: Express;
  logger: Logger;
  registry: Registry;
  /** Every running queue worker (messages, notifications, and mail unless disabled). */
  workers: Worker[];
  /** The start-up check of the Redis settings (AOF, noeviction); it only ever warns. */
  redisSettings: Promise<RedisSettingsReport>;
}

/**
 * Builds the worker process: BullMQ workers for `messages`, `notifications` and `mail`, and an
 * HTTP server for /healthz and /readyz (PostgreSQL and Redis), plus an admin app for /metrics. Starts even when
 * PostgreSQL or Redis is down: jobs then wait or retry, and readiness reports 503.
 * `markDraining` stops taking jobs; `close` waits for active ones (up to SHUTDOWN_TIMEOUT_MS).
 */
export async function createPersistenceWorkerApp(config: PersistenceWorkerConfig, logger?: Logger): Promise<PersistenceWorkerApp> {
  const log = logger ?? createLogger({ service: 'persistence-worker', level: config.LOG_LEVEL });
  const metrics = createServiceMetrics('persistence-worker');
  const jobMetrics = createJobMetrics(metrics.registry);
  const queueMetrics = createQueueMetrics(metrics.registry);

  const database = createDatabaseConnection(createWorkerDataSource(config), { logger: log });
  await database.ready().catch(() => {
    // Logged by the connection; jobs retry and readiness fails until PostgreSQL is back.
  });
  // Bounded retries for presence reads, publishing and health checks; BullMQ gets its own
  // connection that blocks while Redis is away (maxRetriesPerRequest: null, as BullMQ requires).
  const redis = createRedis({ url: config.REDIS_URL, name: 'persistence-worker', logger: log });
  const bullConnection = createRedis({ url: config.REDIS_URL, name: 'persistence-worker-bull', logger: log, maxRetriesPerRequest: null });
  const redisSettings = checkRedisSettings(redis, log);

  const queueConnection = { connection: bullConnection, installPrefix: config.REDIS_KEY_PREFIX, logger: log };
  const notifications = createProducer('notifications', queueConnection);
  const gaugedQueues = ALL_QUEUES.map((queue) => openQueue(queue, queueConnection));
  queueMetrics.gaugeQueues(gaugedQueues);

  const consumerSettings = {
    ...queueConnection,
    stalledIntervalMs: config.STALLED_INTERVAL_MS,
    lockDurationMs: config.LOCK_DURATION_MS,
    metrics: queueMetrics,
  };
  const workers: Worker[] = [
    startConsumer(
      'messages',
      createPersistMessagesProcessor({
        database,
        redis,
        redisKeyPrefix: config.REDIS_KEY_PREFIX,
        notifications,
        metrics: jobMetrics,
        logger: log,
        testDelayMs: config.PERSIST_TEST_DELAY_MS,
      }),
      { ...consumerSettings, concurrency: config.MESSAGES_CONCURRENCY },
    ),
    startConsumer('notifications', createNotificationProcessor({ database, redis, redisKeyPrefix: config.REDIS_KEY_PREFIX }), {
      ...consumerSettings,
      concurrency: config.NOTIFICATIONS_CONCURRENCY,
    }),
  ];
  const mailWorker = startMailConsumer(config, bullConnection, log, queueMetrics);
  if (mailWorker) workers.push(mailWorker as Worker);
  if (config.PERSIST_TEST_DELAY_MS > 0) log.warn({ delayMs: config.PERSIST_TEST_DELAY_MS }, 'PERSIST_TEST_DELAY_MS is set: every batch is slowed down (tests only)');

  const health = createHealthRouter({
    postgres: () => database.ping(),
    // The worker writes into the chat schema: ready only once its migrations (run by chat-socket's) are applied.
    schema: createSchemaVersionCheck(() => database.ready()),
    redis: async () => {
      await redis.ping();
    },
  });
  const app = createHttpApp({ logger: log, metrics, health: health.router, corsOrigins: [], publicMetrics: false });
  finishHttpApp(app);

  // worker.close() stops fetching and resolves once the active jobs have finished.
  let drain: Promise<void> | undefined;
  const drainWorkers = () =>
    (drain ??= Promise.all(workers.map((worker) => worker.close())).then(
      () => undefined,
      (error: unknown) => log.warn({ err: error }, 'closing a queue worker failed'),
    ));

  return {
    app,
    handler: app,
    adminHandler: createAdminApp({ metrics, health: health.router }),
    logger: log,
    registry: metrics.registry,
    workers,
    redisSettings,
    markDraining() {
      health.markDraining();
      void drainWorkers();
    },
    async close() {
      const closeConnections = async () => {
        await Promise.all([notifications, ...gaugedQueues].map((queue) => queue.close().catch(() => undefined)));
        await redisSettings.catch(() => undefined);
        await closeRedis(redis);
        await closeRedis(bullConnection);
        await database.close();
      };
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        drainWorkers().then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), config.SHUTDOWN_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (finished) {
        await closeConnections();
        return;
      }
      // The process exits now; the jobs' locks lapse and another worker re-runs them (jobs are
      // idempotent). Connections stay open until they finish: BullMQ spins on a closed
      // connection when a job ends during close().
      log.warn({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'active jobs did not finish in time; leaving them to stalled-job recovery');
      void drainWorkers().then(closeConnections);
    },
  };
}
