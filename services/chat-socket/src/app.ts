import type { Server as HttpServer } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import type { Express } from 'express';
import { createAccessTokenVerifier, startSessionRevocations } from '@parley/auth-middleware';
import type { DataSource } from '@parley/db';
import { createAdminApp } from '@parley/http';
import { createResourceStack, type ResourceStack, type ServableApp } from '@parley/lifecycle';
import { unpersistedBatchesKey } from '@parley/keyspace';
import { createLogger, type Logger } from '@parley/logger';
import { createServiceMetrics } from '@parley/metrics';
import { BackgroundLoops } from './composition/background-loops.js';
import { wireAttachments } from './composition/chat-attachments.js';
import { wireChatModules, type ChatModules } from './composition/chat-modules.js';
import { createChatHealth, createChatHttpApp } from './composition/chat-http-app.js';
import { createRealtime, type Realtime } from './composition/chat-realtime.js';
import { openChatStores, type ChatStores } from './composition/chat-stores.js';
import { wireSendPipeline } from './composition/send-pipeline.js';
import type { ChatSocketConfig } from './config.js';
import { watchRedisLink, type RedisLinkWatch } from './durability/redis-link-watch.js';
import { messageKeysOf } from './composition/message-keys.js';
import { RecentWindow } from './recent-window/recent-window.js';
import { countBytesWritten } from './realtime/delivery-instrumentation.js';
import { countEngineRejections, releaseHandshakeRequests } from './realtime/socket-server.js';
import type { ChatServer } from './realtime/socket-types.js';
import { RoomRepository } from './rooms/room-repository.js';
import { RoomSummaries } from './rooms/room-summaries.js';
import { createUserServiceClient } from './user-service/user-service-client.js';

export interface ChatSocketApp extends ServableApp {
  app: Express;
  /** /metrics, /healthz and /readyz, served on METRICS_PORT by main.ts. */
  adminHandler: Express;
  io: ChatServer;
  logger: Logger;
  dataSource: DataSource;
  /** socket.io attaches to the HTTP server here (serveHttpApp calls it). */
  attach(server: HttpServer): void;
  /**
   * Stops the instance the way a crash would (tests): connections are cut, timers stop, and
   * nothing is cleaned up in Redis (presence leases lapse on their own).
   */
  abort(): Promise<void>;
}

export interface ChatSocketAppOptions {
  logger?: Logger;
}

/** Time between `server:reconnect` on shutdown and the disconnection of the remaining sockets. */
const DRAIN_GRACE_MS = 1_000;

/** Flags the connection handlers and the socket server read. */
interface InstanceState {
  draining: boolean;
  aborted: boolean;
}

/** Time between two probes of the link to Redis while it answers. */
const REDIS_PROBE_INTERVAL_MS = 1_000;

/** Cut from Redis, this pod acknowledges nothing; past the grace its sockets go to pods that can. */
function watchPartitions(
  config: ChatSocketConfig,
  logger: Logger,
  stores: ChatStores,
  realtime: Realtime,
  modules: ChatModules,
  background: BackgroundLoops,
): RedisLinkWatch {
  const watch = watchRedisLink({
    redis: stores.sendRedis,
    probeKey: unpersistedBatchesKey(config.REDIS_KEY_PREFIX),
    intervalMs: REDIS_PROBE_INTERVAL_MS,
    timeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    shedAfterMs: config.REDIS_PARTITION_SHED_AFTER_MS,
    logger,
    onLongPartition: () => {
      realtime.metrics.redisPartitionSheds.inc();
      modules.shedder.shed(modules.shedder.localCount(), 'redis-partition');
    },
  });
  background.add(() => watch.stop());
  return watch;
}

/**
 * Everything the service is made of, each resource registered in `resources` as it was created.
 * A build that fails part-way (Redis holds another message-key layout, say) closes what it opened.
 */
async function composeChatSocket(config: ChatSocketConfig, logger: Logger, state: InstanceState) {
  const resources = createResourceStack({ logger });
  const background = new BackgroundLoops();
  try {
    return await composeParts(config, logger, state, resources, background);
  } catch (error) {
    background.stopAll();
    await resources.close().catch(() => undefined);
    throw error;
  }
}

async function composeParts(config: ChatSocketConfig, logger: Logger, state: InstanceState, resources: ResourceStack, background: BackgroundLoops) {
  const serviceMetrics = createServiceMetrics('chat-socket');
  const stores = await openChatStores(config, logger, resources);
  const revocations = startSessionRevocations({ redis: stores.redis, redisUrl: config.REDIS_URL, redisKeyPrefix: config.REDIS_KEY_PREFIX, logger });
  resources.add('session-revocations', () => revocations.close());
  const verifier = createAccessTokenVerifier({
    keys: { jwksUrl: config.JWKS_URL },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    sessions: revocations,
  });
  const rooms = new RoomRepository(stores.dataSource);
  const messageKeys = messageKeysOf(config);
  const window = new RecentWindow(stores.redis, (roomId) => messageKeys.prefixOfRoom(roomId));
  const summaries = new RoomSummaries(stores.dataSource, rooms, window, config.RECENT_WINDOW_SIZE);
  const users = createUserServiceClient({ baseUrl: config.USER_SERVICE_URL, internalToken: config.INTERNAL_API_TOKEN, logger });

  // After a long Redis partition the sockets were sent elsewhere: none come back until it heals.
  const link: { watch?: RedisLinkWatch } = {};
  const accepting = () => !state.draining && !(link.watch?.longPartition() ?? false);
  const realtime = createRealtime({ config, logger, serviceMetrics, stores, verifier, rooms, accepting, resources, background });
  const attachments = wireAttachments({ config, logger, stores, rooms, serviceMetrics, resources });
  const pipeline = await wireSendPipeline({ config, logger, stores, realtime, rooms, window, users, attachments: attachments.service, resources, background });
  const moduleDeps = { config, logger, stores, realtime, pipeline, rooms, window, summaries, users, verifier, revocations, serviceMetrics, attachments: attachments.service };
  const modules = wireChatModules({ ...moduleDeps, aborted: () => state.aborted, resources, background });
  link.watch = watchPartitions(config, logger, stores, realtime, modules, background);
  await modules.events.ready.catch(() => undefined);
  await revocations.ready.catch(() => undefined);

  const health = createChatHealth(stores, pipeline.durability);
  const app = createChatHttpApp({ config, logger, serviceMetrics, health, stores, verifier, modules, attachments: attachments.service });
  // Closed first: no send left half-accepted, no loop running, then no socket left.
  resources.add('sockets', () => realtime.io.local.disconnectSockets(true));
  resources.add('background-loops', () => background.stopAll());
  resources.add('send-batches', () => pipeline.send.drain());
  return { resources, background, serviceMetrics, stores, revocations, realtime, pipeline, modules, attachments, health, app };
}

type ChatParts = Awaited<ReturnType<typeof composeChatSocket>>;

/** A crash, as tests need one: connections cut, loops stopped, nothing cleaned up in Redis. */
async function abortLikeACrash(parts: ChatParts, rawConnections: Set<NetSocket>): Promise<void> {
  const { io } = parts.realtime;
  parts.background.stopAll();
  parts.pipeline.lease.abandon();
  for (const connection of rawConnections) connection.destroy();
  const deadline = Date.now() + 2_000;
  while (io.of('/').sockets.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  io.engine.close();
  parts.realtime.socketServer.abort();
  parts.modules.events.abort();
  parts.revocations.abort();
  await parts.pipeline.queue.close().catch(() => undefined);
  await parts.attachments.abort();
  await parts.realtime.backlog.close();
  parts.stores.redis.disconnect();
  parts.stores.sendRedis.disconnect();
  await parts.stores.database.close().catch(() => undefined);
}

/**
 * Builds the chat-socket service: Express app (rooms, history, presence, admin), socket.io
 * server with the Redis adapter, the send pipeline and the background loops (presence
 * heartbeat and sweeper, worker-id lease). Starts even when PostgreSQL is down (readiness
 * 503 until it connects). `close` runs the resources' closes in reverse order of creation: send
 * batches drained, loops stopped, sockets disconnected, event relay, queue, worker-id lease,
 * adapter, Redis, PostgreSQL.
 */
export async function createChatSocketApp(config: ChatSocketConfig, options: ChatSocketAppOptions = {}): Promise<ChatSocketApp> {
  const logger = options.logger ?? createLogger({ service: 'chat-socket', level: config.LOG_LEVEL });
  const state: InstanceState = { draining: false, aborted: false };
  const parts = await composeChatSocket(config, logger, state);
  const { io } = parts.realtime;
  const rawConnections = new Set<NetSocket>();
  let drainTimer: NodeJS.Timeout | undefined;
  parts.background.add(() => clearTimeout(drainTimer));

  return {
    app: parts.app,
    handler: parts.app,
    adminHandler: createAdminApp({ metrics: parts.serviceMetrics, health: parts.health.router }),
    io,
    logger,
    dataSource: parts.stores.dataSource,
    attach(server) {
      io.attach(server);
      releaseHandshakeRequests(io);
      countEngineRejections(io, () => parts.realtime.metrics, logger);
      countBytesWritten(io, parts.realtime.delivery);
      server.on('connection', (connection: NetSocket) => {
        rawConnections.add(connection);
        connection.once('close', () => rawConnections.delete(connection));
      });
    },
    markDraining() {
      state.draining = true;
      parts.health.markDraining();
      parts.modules.shedder.announceAll('shutdown');
      // Clients got their reconnect hint; whoever is still here is disconnected so the HTTP server can close.
      drainTimer = setTimeout(() => io.local.disconnectSockets(true), DRAIN_GRACE_MS);
      drainTimer.unref();
    },
    async close() {
      state.draining = true;
      await parts.resources.close();
    },
    async abort() {
      state.aborted = true;
      state.draining = true;
      await abortLikeACrash(parts, rawConnections);
    },
  };
}
