import type { AccessTokenVerifier } from '@parley/auth-middleware';
import type { ResourceStack } from '@parley/lifecycle';
import type { Logger } from '@parley/logger';
import type { ServiceMetrics } from '@parley/metrics';
import type { ChatSocketConfig } from '../config.js';
import { createBacklogMetrics, type BacklogMetrics } from '../observability/backlog-metrics.js';
import { createChatMetrics, type ChatMetrics } from '../observability/chat-metrics.js';
import { createDeliveryMetrics, type DeliveryMetrics } from '../observability/delivery-metrics.js';
import { resyncSocketsAfterAdapterReconnect } from '../realtime/adapter-resync.js';
import { dropOwnBroadcastEchoes } from '../realtime/adapter-self-echo.js';
import { roomIdOfChannel } from '../realtime/channels.js';
import { startPubsubProbe } from '../realtime/delivery-instrumentation.js';
import { instrumentFanout } from '../realtime/fanout-instrumentation.js';
import { createSocketServer, type SocketServer } from '../realtime/socket-server.js';
import type { ChatServer } from '../realtime/socket-types.js';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { BackgroundLoops } from './background-loops.js';
import type { ChatStores } from './chat-stores.js';

export interface Realtime {
  socketServer: SocketServer;
  io: ChatServer;
  metrics: ChatMetrics;
  delivery: DeliveryMetrics;
  backlog: BacklogMetrics;
}

export interface RealtimeDeps {
  config: ChatSocketConfig;
  logger: Logger;
  serviceMetrics: ServiceMetrics;
  stores: ChatStores;
  verifier: AccessTokenVerifier;
  rooms: RoomRepository;
  /** False once the instance drains: new handshakes are refused. */
  accepting: () => boolean;
  resources: ResourceStack;
  background: BackgroundLoops;
}

/** The socket.io server with its Redis adapter, and the metrics and probes around fan-out. */
export function createRealtime(deps: RealtimeDeps): Realtime {
  const { config, logger, rooms } = deps;
  const socketServer = createSocketServer({
    redisUrl: config.REDIS_URL,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    adapter: config.SOCKET_ADAPTER,
    corsOrigins: config.CORS_ORIGINS,
    verifier: deps.verifier,
    roomIdsOf: async (userId) => rooms.roomIdsOf(userId),
    accepting: deps.accepting,
    logger,
    metrics: () => metrics,
  });
  deps.resources.add('socket-server', () => socketServer.close());
  const { io } = socketServer;
  const registry = deps.serviceMetrics.registry;
  const metrics = createChatMetrics(registry, {
    connectedSockets: () => io.of('/').sockets.size,
    localRooms: () => {
      let count = 0;
      for (const name of io.of('/').adapter.rooms.keys()) if (roomIdOfChannel(name)) count += 1;
      return count;
    },
  });
  const delivery = createDeliveryMetrics(registry);
  instrumentFanout(io, metrics, delivery);
  deps.background.add(startPubsubProbe(io, delivery, logger));
  const backlog = createBacklogMetrics(registry, deps.stores.redis, config.REDIS_KEY_PREFIX, logger, Date.now, config.MESSAGE_QUEUE_SHARDS, config.MESSAGE_SHARD_KEYS);
  deps.resources.add('backlog-metrics', () => backlog.close());
  dropOwnBroadcastEchoes(io);
  deps.background.add(
    resyncSocketsAfterAdapterReconnect({
      io,
      subscriber: socketServer.adapterSubscriber,
      spreadMs: config.RECONNECT_JITTER_MS,
      logger,
      metrics: () => metrics,
    }),
  );
  return { socketServer, io, metrics, delivery, backlog };
}
