import type { Server as HttpServer } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { Router, type Express } from 'express';
import { createAccessTokenVerifier, requireAuth, startSessionRevocations } from '@parley/auth-middleware';
import { createDatabaseConnection, createSchemaVersionCheck, type DataSource } from '@parley/db';
import { createHealthRouter } from '@parley/health';
import {
  createAdminApp,
  createHttpApp,
  finishHttpApp,
  openApiHandler,
  requireDatabase,
  requireInternalToken,
} from '@parley/http';
import type { ServableApp } from '@parley/lifecycle';
import { createLogger, type Logger } from '@parley/logger';
import { createServiceMetrics } from '@parley/metrics';
import { closeRedis, createRedis } from '@parley/redis';
import { createAdminRouter } from './admin/admin-routes.js';
import { createAttachmentCleanupQueue, startAttachmentCleanupWorker } from './attachments/attachment-cleanup-queue.js';
import { createAttachmentMetrics } from './attachments/attachment-metrics.js';
import { AttachmentRepository } from './attachments/attachment-repository.js';
import { createAttachmentDownloadRouter, createAttachmentRouter } from './attachments/attachment-routes.js';
import { AttachmentService } from './attachments/attachment-service.js';
import { createAttachmentStore } from './attachments/create-attachment-store.js';
import { DownloadSigner } from './attachments/signed-urls.js';
import { SocketShedder } from './admin/socket-shedder.js';
import type { ChatSocketConfig } from './config.js';
import { createChatSocketDataSource } from './database.js';
import { MessageDurability } from './durability/message-durability.js';
import { SnowflakeGenerator } from './ids/snowflake.js';
import { leaseWorkerId } from './ids/worker-id-lease.js';
import { HistoryService } from './messages/history-service.js';
import { createTimelineRouter } from './timeline/timeline-routes.js';
import { TimelineService } from './timeline/timeline-service.js';
import { createMessageRouter } from './messages/message-routes.js';
import { createMessageQueue } from './messages/message-queue.js';
import { RecentWindow } from './messages/recent-window.js';
import { seedRoomSequences } from './messages/room-sequence-counter.js';
import { SendMessageService } from './messages/send-message.js';
import { createBacklogMetrics } from './observability/backlog-metrics.js';
import { createChatMetrics } from './observability/chat-metrics.js';
import { createDeliveryMetrics } from './observability/delivery-metrics.js';
import { buildChatOpenApiDocument } from './openapi-document.js';
import { createPresenceRouter } from './presence/presence-routes.js';
import { PresenceService } from './presence/presence-service.js';
import { PresenceStore } from './presence/presence-store.js';
import { ReadMarkerService } from './read-markers/read-marker-service.js';
import { roomChannel, roomIdOfChannel } from './realtime/channels.js';
import { resyncSocketsAfterAdapterReconnect } from './realtime/adapter-resync.js';
import { dropOwnBroadcastEchoes } from './realtime/adapter-self-echo.js';
import { countBytesWritten, startPubsubProbe } from './realtime/delivery-instrumentation.js';
import { instrumentFanout } from './realtime/fanout-instrumentation.js';
import { MembershipSync } from './realtime/membership-sync.js';
import { startRedisEventRelay } from './realtime/redis-event-relay.js';
import { DirectRoomBlocks } from './rooms/direct-room-blocks.js';
import { handleSocketConnections } from './realtime/socket-connections.js';
import { countEngineRejections, createSocketServer, releaseHandshakeRequests } from './realtime/socket-server.js';
import { SocketSessions } from './realtime/socket-sessions.js';
import type { ChatServer } from './realtime/socket-types.js';
import { RoomRepository } from './rooms/room-repository.js';
import { createRoomRouter } from './rooms/room-routes.js';
import { createInternalAccountRouter } from './rooms/internal-account-routes.js';
import { RoomService } from './rooms/room-service.js';
import { RoomSummaries } from './rooms/room-summaries.js';
import { RoomSettingsRepository } from './rooms/room-settings-repository.js';
import { createRoomSettingsRouter } from './rooms/room-settings-routes.js';
import { RoomSettingsService } from './rooms/room-settings-service.js';
import { RoomEventLog } from './room-events/room-event-log.js';
import { InviteRepository } from './invites/invite-repository.js';
import { createInviteRouter } from './invites/invite-routes.js';
import { InviteService } from './invites/invite-service.js';
import { TypingRelay } from './typing/typing-relay.js';
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

/**
 * Builds the chat-socket service: Express app (rooms, history, presence, admin), socket.io
 * server with the Redis adapter, the send pipeline and the background loops (presence
 * heartbeat and sweeper, worker-id lease). Starts even when PostgreSQL is down (readiness
 * 503 until it connects).
 */
export async function createChatSocketApp(config: ChatSocketConfig, options: ChatSocketAppOptions = {}): Promise<ChatSocketApp> {
  const logger = options.logger ?? createLogger({ service: 'chat-socket', level: config.LOG_LEVEL });
  const serviceMetrics = createServiceMetrics('chat-socket');
  const dataSource = createChatSocketDataSource(config);
  const database = createDatabaseConnection(dataSource, { logger, migrateOnStart: config.DB_MIGRATE_ON_START });
  await database.ready().catch(() => {
    // Logged by the connection; requests answer 503 and readiness fails until it connects.
  });
  const redis = createRedis({ url: config.REDIS_URL, name: 'chat-socket', logger });
  // Accept scripts (each writes its batch's persistence job) and WAIT share one connection (WAIT covers a connection's writes).
  const sendRedis = createRedis({ url: config.REDIS_URL, name: 'chat-socket-send', logger });
  const prefix = config.REDIS_KEY_PREFIX;

  const revocations = startSessionRevocations({ redis, redisUrl: config.REDIS_URL, redisKeyPrefix: prefix, logger });
  const verifier = createAccessTokenVerifier({
    keys: { jwksUrl: config.JWKS_URL },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    sessions: revocations,
  });
  const rooms = new RoomRepository(dataSource);
  const window = new RecentWindow(redis, prefix);
  const summaries = new RoomSummaries(dataSource, rooms, window, config.RECENT_WINDOW_SIZE);
  const users = createUserServiceClient({ baseUrl: config.USER_SERVICE_URL, internalToken: config.INTERNAL_API_TOKEN, logger });

  let draining = false;
  let aborted = false;
  const socketServer = createSocketServer({
    redisUrl: config.REDIS_URL,
    redisKeyPrefix: prefix,
    adapter: config.SOCKET_ADAPTER,
    corsOrigins: config.CORS_ORIGINS,
    verifier,
    roomIdsOf: async (userId) => rooms.roomIdsOf(userId),
    accepting: () => !draining,
    logger,
    metrics: () => metrics,
  });
  const { io } = socketServer;
  const metrics = createChatMetrics(serviceMetrics.registry, {
    connectedSockets: () => io.of('/').sockets.size,
    localRooms: () => {
      let count = 0;
      for (const name of io.of('/').adapter.rooms.keys()) if (roomIdOfChannel(name)) count += 1;
      return count;
    },
  });
  const delivery = createDeliveryMetrics(serviceMetrics.registry);
  instrumentFanout(io, metrics, delivery);
  const stopPubsubProbe = startPubsubProbe(io, delivery, logger);
  const backlog = createBacklogMetrics(serviceMetrics.registry, redis, prefix, logger);
  dropOwnBroadcastEchoes(io);
  const stopAdapterResync = resyncSocketsAfterAdapterReconnect({
    io,
    subscriber: socketServer.adapterSubscriber,
    spreadMs: config.RECONNECT_JITTER_MS,
    logger,
    metrics: () => metrics,
  });

  const ids = new SnowflakeGenerator({ workerId: 0 });
  const lease = await leaseWorkerId({ redis, redisKeyPrefix: prefix, logger, onChange: (workerId) => ids.setWorkerId(workerId) });
  ids.setWorkerId(lease.workerId);

  const queue = createMessageQueue(sendRedis, prefix, logger);
  const durability = new MessageDurability({
    redis: sendRedis,
    mode: config.MESSAGE_DURABILITY,
    waitReplicas: config.REDIS_WAIT_REPLICAS,
    waitTimeoutMs: config.REDIS_WAIT_TIMEOUT_MS,
    logger,
    metrics: () => metrics,
  });
  await durability.start();
  const directBlocks = new DirectRoomBlocks({ rooms, users, logger });
  // Attachments (docs/decisions/XXXX-attachments.md): this process also consumes their cleanup jobs.
  const attachmentStore = createAttachmentStore(config);
  const attachmentQueue = createAttachmentCleanupQueue({
    connection: redis,
    redisKeyPrefix: prefix,
    unsentTtlMs: config.ATTACHMENT_UNSENT_TTL_SECONDS * 1_000,
    deleteGraceMs: config.ATTACHMENT_DELETE_GRACE_SECONDS * 1_000,
    logger,
  });
  const attachments = new AttachmentService({
    repository: new AttachmentRepository(dataSource),
    store: attachmentStore,
    rooms,
    signer: new DownloadSigner(config.ATTACHMENT_URL_SECRET),
    cleanup: attachmentQueue,
    urlTtlSeconds: config.ATTACHMENT_URL_TTL_SECONDS,
    logger,
    metrics: createAttachmentMetrics(serviceMetrics.registry),
  });
  if (!config.ATTACHMENT_URL_SECRET) logger.warn('ATTACHMENT_URL_SECRET is not set: download links work only on the pod that signed them');
  const attachmentWorkerRedis = createRedis({ url: config.REDIS_URL, name: 'chat-socket-attachments', logger, maxRetriesPerRequest: null });
  const attachmentWorker = startAttachmentCleanupWorker({ connection: attachmentWorkerRedis, redisKeyPrefix: prefix, purger: attachments, logger });
  const send = new SendMessageService({
    redis: sendRedis,
    redisKeyPrefix: prefix,
    rooms,
    directBlocks,
    queue,
    ids,
    metrics,
    logger,
    ratePerSecond: config.SEND_RATE_PER_SECOND,
    burst: config.SEND_BURST,
    batchMaxWaitMs: config.SEND_BATCH_MAX_WAIT_MS,
    batchMaxSize: config.SEND_BATCH_MAX_SIZE,
    idempotencyTtlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    windowSize: config.RECENT_WINDOW_SIZE,
    durability,
    seedSequences: (roomIds) => seedRoomSequences(sendRedis, prefix, dataSource, window, roomIds),
    attachments,
    deliver: (message) => {
      // A deleted message's files go after the grace period (on the pod that accepted the deletion).
      if (message.kind === 'delete' && message.targetId) {
        attachments.messageDeleted(message.targetId).catch((error: unknown) => logger.warn({ err: error, messageId: message.targetId }, 'cannot schedule the deletion of attachments'));
      }
      // Timeline events (edits, deletions, reactions) have an event of their own: clients that
      // predate them would show them as messages.
      if (message.kind !== undefined && message.kind !== 'message') io.to(roomChannel(message.roomId)).emit('message:changed', message);
      else io.to(roomChannel(message.roomId)).emit('message:new', message);
    },
  });
  const history = new HistoryService(dataSource, rooms, window, (messages) => attachments.describe(messages));
  const timeline = new TimelineService({
    dataSource,
    rooms,
    window,
    send,
    redis: sendRedis,
    redisKeyPrefix: prefix,
    editWindowSeconds: config.MESSAGE_EDIT_WINDOW_SECONDS,
    deleteWindowSeconds: config.MESSAGE_DELETE_WINDOW_SECONDS,
  });
  const readMarkers = new ReadMarkerService(io, rooms);
  const typing = new TypingRelay(io, config.TYPING_TIMEOUT_MS);
  const presence = new PresenceService({
    io,
    store: new PresenceStore(redis, prefix, config.PRESENCE_TTL_SECONDS * 1_000),
    rooms,
    users,
    logger,
    ttlMs: config.PRESENCE_TTL_SECONDS * 1_000,
  });
  const membership = new MembershipSync(io, socketServer.adapterSubscriber, logger);
  membership.install();
  const roomEvents = new RoomEventLog(dataSource, io, logger);
  const roomService = new RoomService({ io, rooms, summaries, membership, presence, users, events: roomEvents, logger });
  const roomSettings = new RoomSettingsService({ io, rooms, roomSettings: new RoomSettingsRepository(dataSource), events: roomEvents });
  const invites = new InviteService({ invites: new InviteRepository(dataSource), rooms, roomService });
  const shedder = new SocketShedder({ io, reconnectJitterMs: config.RECONNECT_JITTER_MS });
  const sessions = new SocketSessions({ io, verifier, revocations, metrics, logger });

  handleSocketConnections({
    io,
    send,
    history,
    timeline,
    readMarkers,
    typing,
    presence,
    sessions,
    metrics,
    delivery,
    logger,
    floodGuard: {
      eventsPerSecond: config.SOCKET_EVENTS_PER_SECOND,
      burst: config.SOCKET_EVENT_BURST,
      disconnectAfter: config.SOCKET_FLOOD_DISCONNECT_AFTER,
    },
    aborted: () => aborted,
  });
  presence.start();
  sessions.start();
  const events = startRedisEventRelay({
    io,
    redisUrl: config.REDIS_URL,
    redisKeyPrefix: prefix,
    logger,
    onBlocksChanged: (userA, userB) => {
      directBlocks.invalidate(userA, userB);
      void presence.blocksChanged(userA, userB);
    },
  });
  await events.ready.catch(() => undefined);
  await revocations.ready.catch(() => undefined);

  const health = createHealthRouter(
    {
      postgres: () => database.ping(),
      // Ready only once the chat schema carries every migration this code needs.
      schema: createSchemaVersionCheck(() => database.ready()),
      redis: async () => {
        await redis.ping();
      },
    },
    () => ({ messageDurability: durability.status() }),
  );
  const app = createHttpApp({ logger, metrics: serviceMetrics, health: health.router, corsOrigins: config.CORS_ORIGINS, publicMetrics: false });

  const api = Router();
  api.get('/rooms/openapi.json', openApiHandler(buildChatOpenApiDocument()));
  // Signed downloads carry their own authorization (an `<img src>` sends no bearer token).
  api.use('/rooms', createAttachmentDownloadRouter(attachments, requireDatabase(database)));
  api.use(requireAuth(verifier), requireDatabase(database));
  api.use('/rooms', createAttachmentRouter(attachments, config.ATTACHMENT_MAX_BYTES));
  // Invite paths first: `/rooms/invites/:token` must not be read as a room id.
  api.use('/rooms', createInviteRouter(invites));
  api.use('/rooms', createRoomRouter(roomService));
  api.use('/rooms', createRoomSettingsRouter(roomSettings));
  api.use('/rooms', createMessageRouter({ send, history, readMarkers }));
  api.use('/rooms', createTimelineRouter(timeline));
  api.use('/presence', createPresenceRouter(presence));
  app.use('/api/v1', api);
  // Never routed by the ingress; guarded by the shared service token when one is configured.
  app.use('/internal/v1', requireInternalToken(config.INTERNAL_API_TOKEN), requireDatabase(database), createInternalAccountRouter(roomService));
  if (config.ADMIN_API_TOKEN) app.use('/admin/v1', createAdminRouter(shedder, config.ADMIN_API_TOKEN));
  finishHttpApp(app);

  const rawConnections = new Set<NetSocket>();
  let drainTimer: NodeJS.Timeout | undefined;

  const stopBackground = () => {
    clearTimeout(drainTimer);
    stopPubsubProbe();
    durability.stop();
    stopAdapterResync();
    presence.stop();
    sessions.stop();
    typing.stopAll();
  };

  return {
    app,
    handler: app,
    adminHandler: createAdminApp({ metrics: serviceMetrics, health: health.router }),
    io,
    logger,
    dataSource,
    attach(server) {
      io.attach(server);
      releaseHandshakeRequests(io);
      countEngineRejections(io, () => metrics, logger);
      countBytesWritten(io, delivery);
      server.on('connection', (connection: NetSocket) => {
        rawConnections.add(connection);
        connection.once('close', () => rawConnections.delete(connection));
      });
    },
    markDraining() {
      draining = true;
      health.markDraining();
      shedder.announceAll('shutdown');
      // Clients got their reconnect hint; whoever is still here is disconnected so the HTTP server can close.
      drainTimer = setTimeout(() => io.local.disconnectSockets(true), DRAIN_GRACE_MS);
      drainTimer.unref();
    },
    async close() {
      draining = true;
      await send.drain();
      stopBackground();
      io.local.disconnectSockets(true);
      await socketServer.close();
      await events.close();
      await revocations.close();
      await queue.close();
      await attachmentWorker.close();
      await attachmentQueue.close();
      attachmentStore.close?.();
      await backlog.close();
      await lease.release();
      await Promise.all([closeRedis(redis), closeRedis(sendRedis), closeRedis(attachmentWorkerRedis)]);
      await database.close();
    },
    async abort() {
      aborted = true;
      draining = true;
      stopBackground();
      lease.abandon();
      for (const connection of rawConnections) connection.destroy();
      const deadline = Date.now() + 2_000;
      while (io.of('/').sockets.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      io.engine.close();
      socketServer.abort();
      events.abort();
      revocations.abort();
      await queue.close().catch(() => undefined);
      await attachmentWorker.close(true).catch(() => undefined);
      await attachmentQueue.close().catch(() => undefined);
      attachmentStore.close?.();
      await backlog.close();
      redis.disconnect();
      sendRedis.disconnect();
      attachmentWorkerRedis.disconnect();
      await database.close().catch(() => undefined);
    },
  };
}
