import { messageSendPayloadSchema, roomReadPayloadSchema, roomSyncPayloadSchema, ROOM_SYNC_MAX_MESSAGES, typingPayloadSchema } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import type { HistoryService } from '../messages/history-service.js';
import type { SendMessageService } from '../messages/send-message.js';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import type { PresenceService } from '../presence/presence-service.js';
import type { ReadMarkerService } from '../read-markers/read-marker-service.js';
import type { TypingRelay } from '../typing/typing-relay.js';
import { roomChannel, userChannel } from './channels.js';
import { installFloodGuard, type FloodGuardSettings } from './event-flood-guard.js';
import { handleAcked } from './socket-ack.js';
import type { ChatServer, ChatSocket } from './socket-types.js';

export interface SocketConnectionSettings {
  io: ChatServer;
  send: SendMessageService;
  history: HistoryService;
  readMarkers: ReadMarkerService;
  typing: TypingRelay;
  presence: PresenceService;
  metrics: ChatMetrics;
  logger: Logger;
  floodGuard: FloodGuardSettings;
  /** True once the instance was aborted (crash simulation): no goodbyes are written. */
  aborted(): boolean;
}

/** What a connected socket can do, and what its arrival and departure change. */
export function handleSocketConnections(settings: SocketConnectionSettings): void {
  const { io, logger, metrics } = settings;

  io.on('connection', (socket: ChatSocket) => {
    const { userId } = socket.data;
    metrics.socketConnects.inc();
    socket.join([userChannel(userId), ...socket.data.roomIds.map(roomChannel)]);
    socket.data.roomIds = [];
    void settings.presence.socketConnected(userId, socket.id).catch((error: unknown) => {
      logger.warn({ err: error, userId }, 'cannot record presence');
    });

    installFloodGuard(socket, settings.floodGuard);

    socket.on(
      'message:send',
      handleAcked({ event: 'message:send', logger, metrics, userId }, messageSendPayloadSchema, async ({ roomId, clientMsgId, body }) => {
        const memberVerified = socket.rooms.has(roomChannel(roomId));
        const { message } = await settings.send.send({ senderId: userId, roomId, clientMsgId, body, memberVerified });
        return { message };
      }),
    );

    socket.on(
      'room:sync',
      handleAcked({ event: 'room:sync', logger, metrics, userId }, roomSyncPayloadSchema, ({ rooms }) => settings.history.sync(userId, rooms, ROOM_SYNC_MAX_MESSAGES)),
    );

    socket.on(
      'room:read',
      handleAcked({ event: 'room:read', logger, metrics, userId }, roomReadPayloadSchema, async ({ roomId, messageId }) => {
        await settings.readMarkers.markRead(userId, roomId, messageId);
        return {};
      }),
    );

    socket.on('typing', (payload: unknown) => {
      const parsed = typingPayloadSchema.safeParse(payload);
      if (parsed.success) settings.typing.handle(socket, parsed.data);
    });

    socket.on('disconnect', (reason) => {
      metrics.socketDisconnects.inc({ reason });
      if (settings.aborted()) return;
      settings.typing.socketGone(socket);
      void settings.presence.socketDisconnected(userId, socket.id).catch((error: unknown) => {
        logger.warn({ err: error, userId }, 'cannot record the end of a presence');
      });
    });
  });
}
