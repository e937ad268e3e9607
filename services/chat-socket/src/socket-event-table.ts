import {
  authRefreshPayloadSchema,
  messageDeletePayloadSchema,
  messageEditPayloadSchema,
  messageSendPayloadSchema,
  reactionPayloadSchema,
  roomReadPayloadSchema,
  roomSyncPayloadSchema,
  ROOM_SYNC_MAX_MESSAGES,
  typingPayloadSchema,
} from '@parley/contracts';
import type { Logger } from '@parley/logger';
import type { HistoryService } from './messages/history-service.js';
import type { SendMessageService } from './messages/send-message.js';
import type { DeliveryMetrics } from './observability/delivery-metrics.js';
import type { PresenceService } from './presence/presence-service.js';
import type { ReadMarkerService } from './read-markers/read-marker-service.js';
import { roomChannel } from './realtime/channels.js';
import type { SocketEventTable, SocketLifecycle } from './realtime/socket-event-routes.js';
import type { SocketSessions } from './realtime/socket-sessions.js';
import type { TimelineService } from './timeline/timeline-service.js';
import type { TypingRelay } from './typing/typing-relay.js';

/** The domain modules the socket events reach. */
export interface SocketEventServices {
  /** The send path behind the composer (replies, mentions: replies/message-composer.ts). */
  send: Pick<SendMessageService, 'send'>;
  history: HistoryService;
  timeline: TimelineService;
  readMarkers: ReadMarkerService;
  typing: TypingRelay;
  presence: PresenceService;
  sessions: SocketSessions;
  delivery?: DeliveryMetrics;
  logger: Logger;
}

/**
 * What each client event does: event → payload schema → handler, one entry per event of the
 * contract's `ClientToServerEvents` (a missing or extra entry fails typecheck). The socket
 * plumbing (session check, flood guard, acks, error mapping, spans, metrics) is
 * realtime/socket-connections.ts; it sits below the domain modules, this table above them.
 */
export function socketEventTable(services: SocketEventServices): SocketEventTable {
  const { send, history, timeline, readMarkers, typing, sessions, delivery } = services;
  return {
    'message:send': {
      schema: messageSendPayloadSchema,
      handle: async (socket, { roomId, clientMsgId, body, replyTo, attachments }, { arrivedAt }) => {
        const memberVerified = socket.rooms.has(roomChannel(roomId));
        const { message } = await send.send({ senderId: socket.data.userId, roomId, clientMsgId, body, replyTo, memberVerified, receivedAt: arrivedAt, attachmentIds: attachments });
        return { message };
      },
    },
    'message:edit': {
      schema: messageEditPayloadSchema,
      handle: async (socket, payload) => ({ event: await timeline.edit({ userId: socket.data.userId, ...payload }) }),
    },
    'message:delete': {
      schema: messageDeletePayloadSchema,
      handle: async (socket, payload) => ({ event: await timeline.delete({ userId: socket.data.userId, ...payload }) }),
    },
    'reaction:add': {
      schema: reactionPayloadSchema,
      handle: async (socket, payload) => ({ event: await timeline.react({ userId: socket.data.userId, ...payload, add: true }) }),
    },
    'reaction:remove': {
      schema: reactionPayloadSchema,
      handle: async (socket, payload) => ({ event: await timeline.react({ userId: socket.data.userId, ...payload, add: false }) }),
    },
    'room:sync': {
      schema: roomSyncPayloadSchema,
      handle: async (socket, { rooms }) => {
        const result = await history.sync(socket.data.userId, rooms, ROOM_SYNC_MAX_MESSAGES);
        for (const room of result.rooms) {
          delivery?.syncMessagesRecovered.inc(room.messages.length);
          if (room.hasMore) delivery?.syncRoomsTruncated.inc();
        }
        return result;
      },
    },
    'room:read': {
      schema: roomReadPayloadSchema,
      handle: async (socket, { roomId, messageId }) => {
        await readMarkers.markRead(socket.data.userId, roomId, messageId);
        return {};
      },
    },
    typing: {
      schema: typingPayloadSchema,
      signal: (socket, payload) => typing.handle(socket, payload),
    },
    'auth:refresh': {
      schema: authRefreshPayloadSchema,
      handle: (socket, { token }) => sessions.refresh(socket, token),
    },
  };
}

/** A socket's arrival and departure: presence, and the end of its typing. */
export function socketLifecycle({ presence, typing, logger }: SocketEventServices): SocketLifecycle {
  return {
    connected(socket) {
      const { userId } = socket.data;
      void presence.socketConnected(userId, socket.id).catch((error: unknown) => {
        logger.warn({ err: error, userId }, 'cannot record presence');
      });
    },
    disconnected(socket) {
      typing.socketGone(socket);
      const { userId } = socket.data;
      void presence.socketDisconnected(userId, socket.id).catch((error: unknown) => {
        logger.warn({ err: error, userId }, 'cannot record the end of a presence');
      });
    },
  };
}
