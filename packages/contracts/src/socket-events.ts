import { z } from 'zod';
import type { SessionEndReason } from './auth.js';
import { userIdSchema } from './common.js';
import { errorBodySchema } from './errors.js';
import { text } from './text.js';
import {
  clientMsgIdSchema,
  messageBodySchema,
  messageIdSchema,
  messageSchema,
  messageSeqSchema,
  roomIdSchema,
  roomSummarySchema,
  type Message,
  type MessageSendPayload,
  type Presence,
  type RoomSummary,
} from './chat.js';
import { emojiSchema } from './timeline.js';
import type { MemberRoleEvent, RoomEvent, RoomPreferences, RoomUpdatedEvent } from './room-settings.js';

// ---- client → server payloads (validated on the server with these schemas) ----

/**
 * Timeline events (docs/decisions/0021-timeline-events.md): each has its own `clientMsgId` (a
 * retry with the same one is the same change) and is answered with the event as accepted, with
 * its room sequence number. The server decides who may: only the author edits; the author, or a
 * room owner or admin, deletes; members react.
 */
export const messageEditPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  messageId: messageIdSchema,
  clientMsgId: clientMsgIdSchema,
  body: messageBodySchema,
});
export type MessageEditPayload = z.infer<typeof messageEditPayloadSchema>;

export const messageDeletePayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  messageId: messageIdSchema,
  clientMsgId: clientMsgIdSchema,
});
export type MessageDeletePayload = z.infer<typeof messageDeletePayloadSchema>;

/** `reaction:add` and `reaction:remove`: the caller's own reaction with one emoji. */
export const reactionPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  messageId: messageIdSchema,
  clientMsgId: clientMsgIdSchema,
  emoji: emojiSchema,
});
export type ReactionPayload = z.infer<typeof reactionPayloadSchema>;

export const ROOM_SYNC_MAX_ROOMS = 200;
export const ROOM_SYNC_MAX_MESSAGES = 200;
export const roomSyncPayloadSchema = z.strictObject({
  rooms: z
    .array(
      z
        .strictObject({
          roomId: roomIdSchema,
          /**
           * The room sequence number up to which the client has every message: the answer is
           * what follows, in sequence order. This is what fills gaps.
           */
          afterSeq: messageSeqSchema.optional(),
          /**
           * Older form: the last message id the client has (messages with higher ids, in id
           * order); null or absent with no afterSeq: the newest messages.
           */
          afterId: messageIdSchema.nullable().optional(),
        })
        .refine((room) => !(room.afterSeq !== undefined && room.afterId != null), { message: 'use either afterSeq or afterId, not both' }),
    )
    .max(ROOM_SYNC_MAX_ROOMS),
});
export type RoomSyncPayload = z.infer<typeof roomSyncPayloadSchema>;

export const roomSyncResultSchema = z.object({
  rooms: z.array(z.object({ roomId: roomIdSchema, messages: z.array(messageSchema), hasMore: z.boolean() })),
});
export type RoomSyncResult = z.infer<typeof roomSyncResultSchema>;

export const roomReadPayloadSchema = z.strictObject({ roomId: roomIdSchema, messageId: messageIdSchema });
export type RoomReadPayload = z.infer<typeof roomReadPayloadSchema>;

export const typingPayloadSchema = z.strictObject({ roomId: roomIdSchema, isTyping: z.boolean() });
export type TypingPayload = z.infer<typeof typingPayloadSchema>;

/**
 * A renewed access token for a connected socket, sent before the one it connected with expires
 * (a socket whose token expires is closed). It must be of the same user and session.
 */
export const authRefreshPayloadSchema = z.strictObject({ token: text().min(1).max(4_096) });
export type AuthRefreshPayload = z.infer<typeof authRefreshPayloadSchema>;
/** Until when (epoch seconds) the socket may now stay connected. */
export interface AuthRefreshResult {
  expiresAt: number;
}

// ---- server → client events ----

export interface TypingEvent {
  roomId: string;
  userId: string;
  isTyping: boolean;
}

export interface ReadReceiptEvent {
  roomId: string;
  userId: string;
  messageId: string;
}

export interface MemberEvent {
  roomId: string;
  userId: string;
}

export const notificationEventSchema = z.object({
  /**
   * `friend_accepted`: `fromUserId` accepted the caller's friend request. `mention`: the message
   * `messageId` of `fromUserId` in `roomId` mentions the caller (sent whether or not the caller is
   * online; the client shows it unless that room is in view).
   */
  kind: z.enum(['message', 'friend_request', 'friend_accepted', 'mention']),
  roomId: roomIdSchema.optional(),
  fromUserId: userIdSchema.optional(),
  messageId: messageIdSchema.optional(),
  createdAt: z.string(),
});
export type NotificationEvent = z.infer<typeof notificationEventSchema>;

/**
 * What the persistence worker publishes on the Redis channel `notificationsChannel(prefix)`
 * (@parley/keyspace); every chat-socket pod relays it to its local sockets in `user:<userId>`.
 */
export const notificationRelaySchema = z.object({ userId: userIdSchema, notification: notificationEventSchema });
export type NotificationRelay = z.infer<typeof notificationRelaySchema>;

/** Sent just before the server closes a socket whose session ended; sign in again unless `expired`. */
export interface SessionEndedEvent {
  reason: SessionEndReason;
}

/**
 * Sent before a pod sheds or drains sockets: reconnect after `delayMs` (jittered by the server).
 * `redis-partition`: the pod lost Redis and cannot acknowledge messages; another pod can.
 */
export interface ServerReconnectEvent {
  reason: 'rebalance' | 'shutdown' | 'redis-partition';
  delayMs: number;
}

/**
 * The pod may have missed broadcasts (its connection to Redis dropped and came back): ask
 * `room:sync` by sequence for every room, after waiting a random part of `delayMs` (so a pod's
 * sockets do not all ask at once).
 */
export interface ServerResyncEvent {
  reason: 'adapter-reconnected';
  delayMs: number;
}

// ---- acks ----

export type AckError = { ok: false } & z.infer<typeof errorBodySchema>;
export type Ack<T> = ({ ok: true } & T) | AckError;

/** Typed event maps shared by chat-socket, the web client and the load generators. */
export interface ClientToServerEvents {
  'message:send': (payload: MessageSendPayload, ack: (result: Ack<{ message: Message }>) => void) => void;
  'message:edit': (payload: MessageEditPayload, ack: (result: Ack<{ event: Message }>) => void) => void;
  'message:delete': (payload: MessageDeletePayload, ack: (result: Ack<{ event: Message }>) => void) => void;
  'reaction:add': (payload: ReactionPayload, ack: (result: Ack<{ event: Message }>) => void) => void;
  'reaction:remove': (payload: ReactionPayload, ack: (result: Ack<{ event: Message }>) => void) => void;
  'room:sync': (payload: RoomSyncPayload, ack: (result: Ack<RoomSyncResult>) => void) => void;
  'room:read': (payload: RoomReadPayload, ack?: (result: Ack<Record<never, never>>) => void) => void;
  typing: (payload: TypingPayload) => void;
  'auth:refresh': (payload: AuthRefreshPayload, ack: (result: Ack<AuthRefreshResult>) => void) => void;
}

export interface ServerToClientEvents {
  'message:new': (message: Message) => void;
  /**
   * A timeline event (edit, deletion, reaction) of a room: it takes a room sequence number like a
   * message (gap filling counts it) and changes the message `targetId`; clients that do not have
   * that message keep the event until they get it.
   */
  'message:changed': (event: Message) => void;
  'room:new': (room: RoomSummary) => void;
  'room:member-joined': (event: MemberEvent) => void;
  'room:member-left': (event: MemberEvent) => void;
  'room:read': (event: ReadReceiptEvent) => void;
  /** A group's name, topic or picture changed. */
  'room:updated': (room: RoomUpdatedEvent) => void;
  /** A line for the room's timeline (joins, leaves, removals, settings); also in `GET .../events`. */
  'room:event': (event: RoomEvent) => void;
  'room:member-role': (event: MemberRoleEvent) => void;
  /** The caller's own preferences for a room changed (in another tab, say). */
  'room:preferences': (preferences: RoomPreferences) => void;
  typing: (event: TypingEvent) => void;
  presence: (presence: Presence) => void;
  notification: (notification: NotificationEvent) => void;
  'server:reconnect': (event: ServerReconnectEvent) => void;
  'session:ended': (event: SessionEndedEvent) => void;
  'server:resync': (event: ServerResyncEvent) => void;
}

/** Handshake `auth` payload. */
export const socketAuthSchema = z.object({ token: text().min(1).max(4_096) });

export { roomSummarySchema };
