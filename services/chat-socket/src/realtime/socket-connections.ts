import {
  authRefreshPayloadSchema,
  messageDeletePayloadSchema,
  messageEditPayloadSchema,
  reactionPayloadSchema,
  messageSendPayloadSchema, roomReadPayloadSchema, roomSyncPayloadSchema,
  ROOM_SYNC_MAX_MESSAGES,
  typingPayloadSchema,
} from '@parley/contracts';
import type { Logger } from '@parley/logger';
import type { HistoryService } from '../messages/history-service.js';
import type { SendMessageService } from '../messages/send-message.js';
import { eventLabel, type ChatMetrics } from '../observability/chat-metrics.js';
import type { DeliveryMetrics } from '../observability/delivery-metrics.js';
import type { PresenceService } from '../presence/presence-service.js';
import type { ReadMarkerService } from '../read-markers/read-marker-service.js';
import type { TimelineService } from '../timeline/timeline-service.js';
import type { TypingRelay } from '../typing/typing-relay.js';
import { roomChannel, userChannel } from './channels.js';
import { installFloodGuard, type FloodGuardSettings } from './event-flood-guard.js';
import { stampFrameArrival } from './frame-arrival.js';
import { ackedSocketEvent } from './socket-ack.js';
import type { SocketSessions } from './socket-sessions.js';
import type { ChatServer, ChatSocket } from './socket-types.js';

export interface SocketConnectionSettings {
  io: ChatServer;
  send: SendMessageService;
  history: HistoryService;
  timeline: TimelineService;
  readMarkers: ReadMarkerService;
  typing: TypingRelay;
  presence: PresenceService;
  sessions: SocketSessions;
  metrics: ChatMetrics;
  delivery?: DeliveryMetrics;
  logger: Logger;
  floodGuard: FloodGuardSettings;
  /** True once the instance was aborted (crash simulation): no goodbyes are written. */
  aborted(): boolean;
}

/** What a connected socket can do, and what its arrival and departure change. */
export function handleSocketConnections(settings: SocketConnectionSettings): void {
  const { io, logger, metrics, sessions } = settings;

  const observed = { logger, metrics };
  const floodGuard: FloodGuardSettings = {
    ...settings.floodGuard,
    onRefused: (event) => metrics.floodRefusals.inc({ event: eventLabel(event) }),
    onDisconnect: () => {
      metrics.floodDisconnects.inc();
      settings.floodGuard.onDisconnect?.();
    },
  };
  // Built once: each socket's listeners below only pass the socket in (no per-socket state).
  const onSend = ackedSocketEvent({ ...observed, event: 'message:send' }, messageSendPayloadSchema, async (socket, { roomId, clientMsgId, body, attachments }, { arrivedAt }) => {
    const memberVerified = socket.rooms.has(roomChannel(roomId));
    const { message } = await settings.send.send({ senderId: socket.data.userId, roomId, clientMsgId, body, memberVerified, receivedAt: arrivedAt, attachmentIds: attachments });
    return { message };
  });
  const onSync = ackedSocketEvent({ ...observed, event: 'room:sync' }, roomSyncPayloadSchema, async (socket, { rooms }) => {
    const result = await settings.history.sync(socket.data.userId, rooms, ROOM_SYNC_MAX_MESSAGES);
    for (const room of result.rooms) {
      settings.delivery?.syncMessagesRecovered.inc(room.messages.length);
      if (room.hasMore) settings.delivery?.syncRoomsTruncated.inc();
    }
    return result;
  });
  const onRead = ackedSocketEvent({ ...observed, event: 'room:read' }, roomReadPayloadSchema, async (socket, { roomId, messageId }) => {
    await settings.readMarkers.markRead(socket.data.userId, roomId, messageId);
    return {};
  });
  const userOf = (socket: ChatSocket) => socket.data.userId;
  const onEdit = ackedSocketEvent({ ...observed, event: 'message:edit' }, messageEditPayloadSchema, async (socket, payload) => ({
    event: await settings.timeline.edit({ userId: userOf(socket), ...payload }),
  }));
  const onDelete = ackedSocketEvent({ ...observed, event: 'message:delete' }, messageDeletePayloadSchema, async (socket, payload) => ({
    event: await settings.timeline.delete({ userId: userOf(socket), ...payload }),
  }));
  const onReactionAdd = ackedSocketEvent({ ...observed, event: 'reaction:add' }, reactionPayloadSchema, async (socket, payload) => ({
    event: await settings.timeline.react({ userId: userOf(socket), ...payload, add: true }),
  }));
  const onReactionRemove = ackedSocketEvent({ ...observed, event: 'reaction:remove' }, reactionPayloadSchema, async (socket, payload) => ({
    event: await settings.timeline.react({ userId: userOf(socket), ...payload, add: false }),
  }));
  const onAuthRefresh = ackedSocketEvent({ ...observed, event: 'auth:refresh' }, authRefreshPayloadSchema, (socket, { token }) => sessions.refresh(socket, token));

  // Shared by every socket (socket.io calls listeners with the socket as `this`): a few
  // hundred bytes less per idle socket than closures made per connection. Every event first
  // passes the session check (an ended session or an expired token closes the socket).
  function onMessageSend(this: ChatSocket, payload: unknown, ack: unknown): void {
    sessions.whenActive(this, ack, () => onSend(this, payload, ack));
  }
  function onRoomSync(this: ChatSocket, payload: unknown, ack: unknown): void {
    sessions.whenActive(this, ack, () => onSync(this, payload, ack));
  }
  function onRoomRead(this: ChatSocket, payload: unknown, ack: unknown): void {
    sessions.whenActive(this, ack, () => onRead(this, payload, ack));
  }
  function onMessageEdit(this: ChatSocket, payload: unknown, ack: unknown): void {
    sessions.whenActive(this, ack, () => onEdit(this, payload, ack));
  }
  function onMessageDelete(this: ChatSocket, payload: unknown, ack: unknown): void {
    sessions.whenActive(this, ack, () => onDelete(this, payload, ack));
  }
  function onReactionAdded(this: ChatSocket, payload: unknown, ack: unknown): void {
    sessions.whenActive(this, ack, () => onReactionAdd(this, payload, ack));
  }
  function onReactionRemoved(this: ChatSocket, payload: unknown, ack: unknown): void {
    sessions.whenActive(this, ack, () => onReactionRemove(this, payload, ack));
  }
  function onTokenRefresh(this: ChatSocket, payload: unknown, ack: unknown): void {
    sessions.whenActive(this, ack, () => onAuthRefresh(this, payload, ack));
  }
  function onTyping(this: ChatSocket, payload: unknown): void {
    sessions.whenActive(this, undefined, () => {
      const parsed = typingPayloadSchema.safeParse(payload);
      if (parsed.success) settings.typing.handle(this, parsed.data);
    });
  }
  function onDisconnect(this: ChatSocket, reason: string): void {
    metrics.socketDisconnects.inc({ reason });
    if (settings.aborted()) return;
    settings.typing.socketGone(this);
    const { userId } = this.data;
    void settings.presence.socketDisconnected(userId, this.id).catch((error: unknown) => {
      logger.warn({ err: error, userId }, 'cannot record the end of a presence');
    });
  }

  io.on('connection', (socket: ChatSocket) => {
    const { userId } = socket.data;
    metrics.socketConnects.inc();
    socket.join([userChannel(userId), ...socket.data.roomIds.map(roomChannel)]);
    socket.data.roomIds = [];
    void settings.presence.socketConnected(userId, socket.id).catch((error: unknown) => {
      logger.warn({ err: error, userId }, 'cannot record presence');
    });

    // First: the arrival stamp must be taken while socket.io decodes the frame.
    socket.use(stampFrameArrival);
    installFloodGuard(socket, floodGuard);
    socket.on('message:send', onMessageSend);
    socket.on('room:sync', onRoomSync);
    socket.on('message:edit', onMessageEdit);
    socket.on('message:delete', onMessageDelete);
    socket.on('reaction:add', onReactionAdded);
    socket.on('reaction:remove', onReactionRemoved);
    socket.on('room:read', onRoomRead);
    socket.on('auth:refresh', onTokenRefresh);
    socket.on('typing', onTyping);
    socket.on('disconnect', onDisconnect);
    sessions.admit(socket);
  });
}
