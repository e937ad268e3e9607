import type { Worker } from 'bullmq';
import type { Express } from 'express';
import { createHealthRouter } from '@parley/health';
import { createDatabaseConnection, createSchemaVersionCheck, type DatabaseConnection } from '@parley/db';
import { createAdminApp, createHttpApp, finishHttpApp } from '@parley/http';
import { createResourceStack, type ResourceStack, type ServableApp } from '@parley/lifecycle';
import { createLogger, type Logger } from '@parley/logger';
import { createServiceMetrics, type Registry } from '@parley/metrics';
import { ALL_QUEUES, createProducer, createQueueMetrics, openQueue, startConsumer, type Producer, type QueueMetrics } from '@parley/queues';
import { closeRedis, createRedis, type Redis } from '@parley/redis';
import { consumedShards, messageKeyLayoutOf, type PersistenceWorkerConfig } from './config.js';
import { createWorkerDataSource } from './database.js';
import { startMailConsumer } from './mail/mail-consumer.js';
import { checkMessageKeyLayout } from './messages/message-key-layout-check.js';
import { startMessageShardConsumers, type MessageShardConsumers } from './messages/message-shard-consumers.js';
import { createDigestMetrics } from './mention-digests/digest-metrics.js';
import { createMentionDigests, type MentionDigests } from './mention-digests/mention-digests.js';
import { createUserDirectory } from './mention-digests/user-directory.js';
import { createPersistMessagesProcessor } from './messages/persist-messages-processor.js';
import { createNotificationProcessor } from './notifications/notification-processor.js';
import { createJobMetrics, type JobMetrics } from './queues/job-metrics.js';
import { startPartitionMaintenance, type PartitionMaintenance } from './partitions/partition-maintenance.js';
import { checkRedisSettings, type RedisSettingsReport } from './redis-settings/redis-settings-check.js';

export interface PersistenceWorkerApp extends ServableApp {
  app: Express;
  /** /metrics, /healthz and /readyz, served on METRICS_PORT by main.ts. */
  adminHandler: Express;
  logger: Logger;
  registry: Registry;
  /** Every running queue worker (messages shards, notifications, and mail unless disabled). */
  workers: Worker[];
  /** The consumers of the `messages` shards, and of leftover queues of another shard count. */
  messageShards: MessageShardConsumers;
  /** The start-up check of the Redis settings (AOF, noeviction); it only ever warns. */
  redisSettings: Promise<RedisSettingsReport>;
  /** Partitions of `chat.messages` ahead and within retention. */
  partitions: PartitionMaintenance;
}

interface WorkerConnections {
  database: DatabaseConnection;
  /** Bounded retries: presence reads, publishing, health checks. */
  redis: Redis;
  /** BullMQ's: blocks while Redis is away (maxRetriesPerRequest: null, as BullMQ requires). */
  bullConnection: Redis;
}

/** The queue workers: the `messages` shards, `notifications`, and `mail` unless disabled. */
function startJobWorkers(
  config: PersistenceWorkerConfig,
  log: Logger,
  connections: WorkerConnections,
  metrics: { jobs: JobMetrics; queues: QueueMetrics },
  notifications: Producer<'notifications'>,
  mentionDigests: MentionDigests | undefined,
): { workers: Worker[]; messageShards: MessageShardConsumers } {
  const { database, redis, bullConnection } = connections;
  const consumerSettings = {
    connection: bullConnection,
    installPrefix: config.REDIS_KEY_PREFIX,
    logger: log,
    stalledIntervalMs: config.STALLED_INTERVAL_MS,
    lockDurationMs: config.LOCK_DURATION_MS,
    metrics: metrics.queues,
  };
  const workers: Worker[] = [];
  const messageShards = startMessageShardConsumers(
    createPersistMessagesProcessor({
      database,
      redis,
      redisKeyPrefix: config.REDIS_KEY_PREFIX,
      messageKeys: messageKeyLayoutOf(config),
      notifications,
      metrics: metrics.jobs,
      logger: log,
      testDelayMs: config.PERSIST_TEST_DELAY_MS,
      rounds: { windowMs: config.MESSAGES_ROUND_WINDOW_MS, maxParts: config.MESSAGES_CONCURRENCY },
    }),
    {
      shardCount: config.MESSAGE_QUEUE_SHARDS,
      shards: consumedShards(config),
      concurrency: config.MESSAGES_CONCURRENCY,
      discoveryIntervalMs: config.MESSAGE_QUEUE_DISCOVERY_INTERVAL_MS,
      redis,
      consumer: { ...consumerSettings, shardKeys: config.MESSAGE_SHARD_KEYS, jobIntervalMs: config.MESSAGES_JOB_INTERVAL_MS },
      metrics: metrics.queues,
      logger: log,
      workers,
    },
  );
  workers.push(
    startConsumer('notifications', createNotificationProcessor({ database, redis, redisKeyPrefix: config.REDIS_KEY_PREFIX, mentionDigests }), {
      ...consumerSettings,
      concurrency: config.NOTIFICATIONS_CONCURRENCY,
    }),
  );
  const mailWorker = startMailConsumer(config, bullConnection, log, metrics.queues);
  if (mailWorker) workers.push(mailWorker as Worker);
  return { workers, messageShards };
}

/** Mention digests by email, when a window is set and the user service (addresses, opt-out) is known. */
function mentionDigestsOf(
  config: PersistenceWorkerConfig,
  log: Logger,
  deps: { database: DatabaseConnection; notifications: Producer<'notifications'>; mail: Producer<'mail'>; registry: Registry },
): MentionDigests | undefined {
  if (config.MENTION_DIGEST_WINDOW_SECONDS === 0) return undefined;
  if (!config.USER_SERVICE_URL) {
    log.warn('USER_SERVICE_URL is not set: mentions are not mailed (set it, or MENTION_DIGEST_WINDOW_SECONDS=0 to silence this)');
    return undefined;
  }
  return createMentionDigests({
    database: deps.database,
    notifications: deps.notifications,
    mail: deps.mail,
    directory: createUserDirectory({ baseUrl: config.USER_SERVICE_URL, internalToken: config.INTERNAL_API_TOKEN }),
    metrics: createDigestMetrics(deps.registry),
    logger: log,
    settings: { windowSeconds: config.MENTION_DIGEST_WINDOW_SECONDS, maxItems: config.MENTION_DIGEST_MAX_ITEMS, publicUrl: config.PUBLIC_URL },
  });
}

/**
 * `drain` stops taking jobs (idempotent); `close` waits for the active ones up to
 * SHUTDOWN_TIMEOUT_MS, then closes the connections (the resource stack, in reverse order).
 */
function workerShutdown(config: PersistenceWorkerConfig, log: Logger, workers: Worker[], messageShards: MessageShardConsumers, resources: ResourceStack) {
  // worker.close() stops fetching and resolves once the active jobs have finished. No consumer
  // of a leftover queue is started once the shards' discovery has stopped.
  let drain: Promise<void> | undefined;
  const drainWorkers = () =>
    (drain ??= messageShards
      .stop()
      .then(() => Promise.all(workers.map((worker) => worker.close())))
      .then(
        () => undefined,
        (error: unknown) => log.warn({ err: error }, 'closing a queue worker failed'),
      ));
  const closeConnections = async () => void (await resources.close());
  return {
    drain: () => void drainWorkers(),
    async close() {
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        drainWorkers().then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), config.SHUTDOWN_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (finished) return closeConnections();
      // The process exits now; the jobs' locks lapse and another worker re-runs them (jobs are
      // idempotent). Connections stay open until they finish: BullMQ spins on a closed
      // connection when a job ends during close().
      log.warn({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'active jobs did not finish in time; leaving them to stalled-job recovery');
      void drainWorkers().then(closeConnections);
    },
  };
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
  const resources = createResourceStack({ logger: log });

  const database = createDatabaseConnection(createWorkerDataSource(config), { logger: log });
  resources.add('database', () => database.close());
  await database.ready().catch(() => {
    // Logged by the connection; jobs retry and readiness fails until PostgreSQL is back.
  });
  const redis = createRedis({ url: config.REDIS_URL, name: 'persistence-worker', logger: log });
  const bullConnection = createRedis({ url: config.REDIS_URL, name: 'persistence-worker-bull', logger: log, maxRetriesPerRequest: null });
  resources.add('bull-redis', () => closeRedis(bullConnection));
  resources.add('redis', () => closeRedis(redis));
  const redisSettings = checkRedisSettings(redis, log);
  resources.add('redis-settings-check', () => redisSettings.catch(() => undefined));
  const keyLayout = checkMessageKeyLayout(redis, config.REDIS_KEY_PREFIX, messageKeyLayoutOf(config), log);
  resources.add('message-key-layout-check', () => keyLayout.catch(() => undefined));

  const queueConnection = { connection: bullConnection, installPrefix: config.REDIS_KEY_PREFIX, logger: log };
  const notifications = createProducer('notifications', queueConnection);
  // Every shard's queue, whichever this process consumes: each pod reports the whole picture.
  const gaugedQueues = [
    ...ALL_QUEUES.filter((queue) => queue !== 'messages').map((queue) => openQueue(queue, queueConnection)),
    ...Array.from({ length: config.MESSAGE_QUEUE_SHARDS }, (_, shard) => openQueue('messages', { ...queueConnection, shard, shardKeys: config.MESSAGE_SHARD_KEYS })),
  ];
  resources.add('queues', () => Promise.all([notifications, ...gaugedQueues].map((queue) => queue.close().catch(() => undefined))));
  queueMetrics.gaugeQueues(gaugedQueues);

  const partitions = startPartitionMaintenance({
    database,
    logger: log,
    retentionDays: config.MESSAGE_RETENTION_DAYS,
    intervalMs: config.PARTITION_MAINTENANCE_INTERVAL_MS,
    metrics: jobMetrics,
  });
  resources.add('partition-maintenance', () => partitions.stop());

  const mail = createProducer('mail', queueConnection);
  resources.add('mail-producer', () => mail.close().catch(() => undefined));
  const mentionDigests = mentionDigestsOf(config, log, { database, notifications, mail, registry: metrics.registry });

  const { workers, messageShards } = startJobWorkers(config, log, { database, redis, bullConnection }, { jobs: jobMetrics, queues: queueMetrics }, notifications, mentionDigests);
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
  const shutdown = workerShutdown(config, log, workers, messageShards, resources);

  return {
    app,
    handler: app,
    adminHandler: createAdminApp({ metrics, health: health.router }),
    logger: log,
    registry: metrics.registry,
    workers,
    messageShards,
    redisSettings,
    partitions,
    markDraining() {
      health.markDraining();
      shutdown.drain();
    },
    close: shutdown.close,
  };
}
