import { messageKeysOf } from './message-keys.js';
import type { AccessTokenVerifier, SessionRevocations } from '@parley/auth-middleware';
import type { ResourceStack } from '@parley/lifecycle';
import type { Logger } from '@parley/logger';
import type { ServiceMetrics } from '@parley/metrics';
import { SocketShedder } from '../admin/socket-shedder.js';
import { socketEventTable, socketLifecycle, type SocketEventServices } from '../socket-event-table.js';
import { MessageContext } from '../search/message-context.js';
import { MessageSearchService } from '../search/message-search-service.js';
import { createSearchMetrics } from '../search/search-metrics.js';
import type { AttachmentService } from '../attachments/attachment-service.js';
import type { ChatSocketConfig } from '../config.js';
import { InviteRepository } from '../invites/invite-repository.js';
import { InviteService } from '../invites/invite-service.js';
import { HistoryService } from '../messages/history-service.js';
import type { RecentWindow } from '../recent-window/recent-window.js';
import { MentionResolver } from '../replies/mention-resolver.js';
import { MessageComposer } from '../replies/message-composer.js';
import { createReplyMetrics } from '../replies/reply-metrics.js';
import { ReplyParents } from '../replies/reply-parents.js';
import { ThreadService } from '../replies/thread-service.js';
import { PresenceService } from '../presence/presence-service.js';
import { PresenceStore } from '../presence/presence-store.js';
import { ReadMarkerService } from '../read-markers/read-marker-service.js';
import { MembershipSync } from '../realtime/membership-sync.js';
import { RecentMembershipChanges } from '../realtime/recent-membership-changes.js';
import { startRedisEventRelay, type RedisEventRelay } from '../realtime/redis-event-relay.js';
import { handleSocketConnections } from '../realtime/socket-connections.js';
import { SocketSessions } from '../realtime/socket-sessions.js';
import { RoomEventLog } from '../room-events/room-event-log.js';
import type { RoomRepository } from '../rooms/room-repository.js';
import { RoomService } from '../rooms/room-service.js';
import type { RoomSummaries } from '../rooms/room-summaries.js';
import { RoomSettingsRepository } from '../rooms/room-settings-repository.js';
import { RoomSettingsService } from '../rooms/room-settings-service.js';
import { TimelineService } from '../timeline/timeline-service.js';
import { TypingRelay } from '../typing/typing-relay.js';
import type { UserServiceClient } from '../user-service/user-service-client.js';
import type { BackgroundLoops } from './background-loops.js';
import type { Realtime } from './chat-realtime.js';
import type { ChatStores } from './chat-stores.js';
import type { SendPipeline } from './send-pipeline.js';

export interface ChatModules {
  /** Every user send passes it: replies checked and quoted, mentions resolved. */
  composer: MessageComposer;
  threads: ThreadService;
  history: HistoryService;
  timeline: TimelineService;
  readMarkers: ReadMarkerService;
  presence: PresenceService;
  roomService: RoomService;
  roomSettings: RoomSettingsService;
  invites: InviteService;
  shedder: SocketShedder;
  events: RedisEventRelay;
  search: MessageSearchService;
  messageContext: MessageContext;
}

export interface ChatModulesDeps {
  config: ChatSocketConfig;
  logger: Logger;
  stores: ChatStores;
  realtime: Realtime;
  pipeline: SendPipeline;
  rooms: RoomRepository;
  window: RecentWindow;
  summaries: RoomSummaries;
  users: UserServiceClient;
  verifier: AccessTokenVerifier;
  revocations: SessionRevocations;
  serviceMetrics: ServiceMetrics;
  /** Describes the files of stored messages in history pages. */
  attachments: AttachmentService;
  /** True once the instance was aborted (crash simulation). */
  aborted: () => boolean;
  resources: ResourceStack;
  background: BackgroundLoops;
}

/** The domain modules, the socket event handlers on top of them, and the Redis event relay into them. */
export function wireChatModules(deps: ChatModulesDeps): ChatModules {
  const { config, logger, rooms, window, users } = deps;
  const { dataSource, redis, sendRedis } = deps.stores;
  const { io, socketServer, metrics, delivery } = deps.realtime;
  const { send, directBlocks } = deps.pipeline;
  const messageKeys = messageKeysOf(config);
  const history = new HistoryService(dataSource, rooms, window, (messages) => deps.attachments.describe(messages), deps.stores.historyReads);
  // Replies and mentions: every user send passes the composer (docs/decisions/0034-replies-and-mentions.md).
  const replyMetrics = createReplyMetrics(deps.serviceMetrics.registry);
  const composer = new MessageComposer({
    send,
    rooms,
    parents: new ReplyParents(dataSource, window),
    mentions: new MentionResolver({ users, rooms, metrics: replyMetrics, logger }),
    metrics: replyMetrics,
    redis: sendRedis,
    messageKeys,
  });
  const threads = new ThreadService(dataSource, rooms, window, replyMetrics, (messages) => deps.attachments.describe(messages));
  const timeline = new TimelineService({
    dataSource,
    rooms,
    window,
    send,
    redis: sendRedis,
    messageKeys,
    editWindowSeconds: config.MESSAGE_EDIT_WINDOW_SECONDS,
    deleteWindowSeconds: config.MESSAGE_DELETE_WINDOW_SECONDS,
  });
  const search = new MessageSearchService(dataSource, config.SEARCH_LANGUAGE, rooms, createSearchMetrics(deps.serviceMetrics.registry), (hits) => deps.attachments.filesOf(hits));
  const messageContext = new MessageContext(dataSource, history, rooms);
  const readMarkers = new ReadMarkerService(io, rooms);
  const typing = new TypingRelay(io, config.TYPING_TIMEOUT_MS);
  const ttlMs = config.PRESENCE_TTL_SECONDS * 1_000;
  const presence = new PresenceService({ io, store: new PresenceStore(redis, config.REDIS_KEY_PREFIX, ttlMs), rooms, users, logger, ttlMs });
  const membershipChanges = new RecentMembershipChanges();
  const membership = new MembershipSync(io, socketServer.adapterSubscriber, logger, membershipChanges);
  membership.install();
  const roomEvents = new RoomEventLog(dataSource, io, logger);
  const roomService = new RoomService({ io, rooms, summaries: deps.summaries, membership, presence, users, events: roomEvents, logger });
  const roomSettings = new RoomSettingsService({ io, rooms, roomSettings: new RoomSettingsRepository(dataSource), events: roomEvents });
  const invites = new InviteService({ invites: new InviteRepository(dataSource), rooms, roomService });
  const shedder = new SocketShedder({ io, reconnectJitterMs: config.RECONNECT_JITTER_MS });
  const sessions = new SocketSessions({ io, verifier: deps.verifier, revocations: deps.revocations, metrics, logger });

  const socketEvents: SocketEventServices = { send: composer, history, timeline, readMarkers, typing, presence, sessions, delivery, logger };
  handleSocketConnections({
    io,
    routes: socketEventTable(socketEvents),
    lifecycle: socketLifecycle(socketEvents),
    sessions,
    membershipChanges,
    metrics,
    logger,
    floodGuard: {
      eventsPerSecond: config.SOCKET_EVENTS_PER_SECOND,
      burst: config.SOCKET_EVENT_BURST,
      disconnectAfter: config.SOCKET_FLOOD_DISCONNECT_AFTER,
    },
    aborted: deps.aborted,
  });
  presence.start();
  sessions.start();
  deps.background.add(() => presence.stop());
  deps.background.add(() => sessions.stop());
  deps.background.add(() => typing.stopAll());
  const events = startRedisEventRelay({
    io,
    redisUrl: config.REDIS_URL,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    logger,
    onBlocksChanged: (userA, userB) => {
      directBlocks.invalidate(userA, userB);
      void presence.blocksChanged(userA, userB);
    },
  });
  deps.resources.add('event-relay', () => events.close());
  return { composer, threads, history, timeline, readMarkers, presence, roomService, roomSettings, invites, shedder, events, search, messageContext };
}
