import { z } from 'zod';
import { cursorSchema, limitSchema, userIdSchema } from './common.js';
import { text } from './text.js';
import { MENTIONS_MAX, replyQuoteSchema, THREAD_PAGE_MAX } from './replies.js';
import { reactionSummarySchema, timelineKindSchema } from './timeline.js';
import { messageAttachmentIdsSchema, messageAttachmentSchema } from './attachments.js';

/** Largest PostgreSQL bigint: message ids are stored as one. */
const BIGINT_MAX = 9_223_372_036_854_775_807n;

/**
 * Snowflake id: 64-bit, time-ordered, a decimal string in JSON (JavaScript numbers lose bits).
 * Canonical digits within PostgreSQL's bigint, so no id the API takes can fail a cast.
 */
export const messageIdSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,18})$/, 'must be a message id')
  .refine((value) => /^\d+$/.test(value) && BigInt(value) <= BIGINT_MAX, { message: 'must be a message id' });
export type MessageId = z.infer<typeof messageIdSchema>;

export const roomIdSchema = z.uuid();
export type RoomId = z.infer<typeof roomIdSchema>;

/** Chosen by the client per message; a retry with the same value is the same message. */
export const clientMsgIdSchema = z.uuid();

export const MESSAGE_BODY_MAX = 4000;
export const messageBodySchema = text({ multiline: true })
  .trim()
  .min(1, 'must not be empty')
  .max(MESSAGE_BODY_MAX, `must be at most ${MESSAGE_BODY_MAX} characters`);

/**
 * Per-room sequence number: 1, 2, 3, … in the order the room's messages were accepted, assigned
 * atomically with acceptance. A client that holds n and receives m > n + 1 knows exactly what it
 * lacks and asks `room:sync` for it by sequence (see room-sequence.ts).
 */
export const messageSeqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** A sequence number in a query string. */
export const messageSeqQuerySchema = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a sequence number')
  .transform(Number);

/** A message as accepted, before its room sequence number is assigned. */
export const unsequencedMessageSchema = z.object({
  id: messageIdSchema,
  roomId: roomIdSchema,
  senderId: userIdSchema,
  clientMsgId: clientMsgIdSchema,
  body: z.string(),
  /** Server time of acceptance, ISO 8601. */
  createdAt: z.string(),
  /**
   * Timeline items other than messages (edits, deletions, reactions) say what they are; absent
   * means a message. They come after the message fields and before `seq` (the accept script
   * writes the number at the end of the JSON).
   */
  kind: timelineKindSchema.optional(),
  /** Events: the message they change (in the same room). */
  targetId: messageIdSchema.optional(),
  /** Reaction events: the emoji. */
  emoji: z.string().optional(),
  /** Messages: when last edited (the body is the edited one), absent when never edited. */
  editedAt: z.string().optional(),
  /** Messages: when deleted; the body is then empty (a tombstone). */
  deletedAt: z.string().optional(),
  /** Messages: reactions per emoji, in the order the emoji were first used. */
  reactions: z.array(reactionSummarySchema).optional(),
  /**
   * Messages read from storage: the highest sequence number of the events already folded into
   * this state; a client applies only events above it.
   */
  stateSeq: z.number().int().nonnegative().optional(),
  /** Messages: the message of the same room this one replies to. */
  replyTo: messageIdSchema.optional(),
  /** Replies: their parent as shown with them (author, excerpt, or deleted). */
  replyQuote: replyQuoteSchema.optional(),
  /** Messages: the room members `@username` in the body named when it was sent. */
  mentions: z.array(userIdSchema).max(MENTIONS_MAX).optional(),
  /** Messages with replies: how many, as of `stateSeq` (a reply above it is not counted yet). */
  replyCount: z.number().int().nonnegative().optional(),
  /** Messages with replies: when the last one was sent. */
  lastReplyAt: z.string().optional(),
  /** Messages: the files it carries (absent when none, and once the message is deleted). */
  attachments: z.array(messageAttachmentSchema).optional(),
});
export type UnsequencedMessage = z.infer<typeof unsequencedMessageSchema>;

export const messageSchema = unsequencedMessageSchema.extend({
  /** The room's sequence number of this message (≥ 1). */
  seq: z.number().int().positive(),
});
export type Message = z.infer<typeof messageSchema>;

export const roomKindSchema = z.enum(['direct', 'group']);
export const roomVisibilitySchema = z.enum(['private', 'public']);
export const memberRoleSchema = z.enum(['owner', 'admin', 'member']);
export type MemberRole = z.infer<typeof memberRoleSchema>;

export const roomSchema = z.object({
  id: roomIdSchema,
  kind: roomKindSchema,
  /** Null for direct rooms (clients show the other member's name). */
  name: z.string().nullable(),
  visibility: roomVisibilitySchema,
  createdBy: userIdSchema,
  createdAt: z.string(),
  lastActivityAt: z.string(),
  memberCount: z.number().int().nonnegative(),
  /** Direct rooms: the two members, so clients can label the room without another call. */
  memberIds: z.array(userIdSchema).optional(),
  /** Group rooms: a line about what the room is for (room settings). */
  topic: z.string().nullable().optional(),
  /** Group rooms: an http(s) picture (room settings). */
  avatarUrl: z.string().nullable().optional(),
});
export type Room = z.infer<typeof roomSchema>;

export const roomSummarySchema = roomSchema.extend({
  lastMessage: messageSchema.nullable(),
  unreadCount: z.number().int().nonnegative(),
  /** The caller's read marker in this room. */
  lastReadMessageId: messageIdSchema.nullable(),
  /** The caller muted the room: no notifications for its messages (the unread count still moves). */
  muted: z.boolean().optional(),
  /** Unread messages (of `unreadCount`) that mention the caller. */
  mentionCount: z.number().int().nonnegative().optional(),
});
export type RoomSummary = z.infer<typeof roomSummarySchema>;

export const roomIdParamsSchema = z.strictObject({ id: roomIdSchema });
export const roomMemberParamsSchema = z.strictObject({ id: roomIdSchema, userId: userIdSchema });
export const roomMessageParamsSchema = z.strictObject({ id: roomIdSchema, messageId: messageIdSchema });

export const createDirectRoomRequestSchema = z.strictObject({ userId: userIdSchema });
export type CreateDirectRoomRequest = z.infer<typeof createDirectRoomRequestSchema>;

export const createRoomRequestSchema = z.strictObject({
  name: text().trim().min(1).max(100),
  memberIds: z.array(userIdSchema).max(200).default([]),
  visibility: roomVisibilitySchema.default('private'),
});
export type CreateRoomRequest = z.infer<typeof createRoomRequestSchema>;

export const roomListQuerySchema = z.strictObject({
  limit: limitSchema(100, 50),
  cursor: cursorSchema.optional(),
});
export const roomListResponseSchema = z.object({
  rooms: z.array(roomSummarySchema),
  nextCursor: z.string().nullable(),
});
export type RoomListResponse = z.infer<typeof roomListResponseSchema>;

export const publicRoomQuerySchema = z.strictObject({
  query: text().trim().max(100).optional(),
  limit: limitSchema(100, 50),
  cursor: cursorSchema.optional(),
});
export const publicRoomListSchema = z.object({ rooms: z.array(roomSchema), nextCursor: z.string().nullable() });

export const addMembersRequestSchema = z.strictObject({
  userIds: z.array(userIdSchema).min(1).max(200),
});
export type AddMembersRequest = z.infer<typeof addMembersRequestSchema>;

export const roomMemberSchema = z.object({
  userId: userIdSchema,
  role: memberRoleSchema,
  joinedAt: z.string(),
  online: z.boolean(),
  /** The member's read marker (highest message id read), so clients show read receipts after a reload. */
  lastReadMessageId: messageIdSchema.nullable(),
});
export type RoomMember = z.infer<typeof roomMemberSchema>;
export const roomMemberListSchema = z.object({ members: z.array(roomMemberSchema) });

export const sendMessageRequestSchema = z.strictObject({
  clientMsgId: clientMsgIdSchema,
  body: messageBodySchema,
  /** A message of the same room this one replies to. */
  replyTo: messageIdSchema.optional(),
  /** Files uploaded by the sender to this room and not carried by another message yet. */
  attachments: messageAttachmentIdsSchema.optional(),
});
export type SendMessageRequest = z.infer<typeof sendMessageRequestSchema>;
export const sendMessageResponseSchema = z.object({ message: messageSchema });
/** The `message:send` socket event: the REST request's fields, and the room (the URL's on REST). */
export const messageSendPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  ...sendMessageRequestSchema.shape,
});
export type MessageSendPayload = z.infer<typeof messageSendPayloadSchema>;

export const HISTORY_LIMIT_MAX = 100;
/**
 * History pages. Without a cursor, or with `beforeSeq` / `afterSeq`, pages follow the room's
 * sequence (what clients should use); `before` / `after` (message ids) page in id order.
 */
export const historyQuerySchema = z
  .strictObject({
    before: messageIdSchema.optional(),
    after: messageIdSchema.optional(),
    beforeSeq: messageSeqQuerySchema.optional(),
    afterSeq: messageSeqQuerySchema.optional(),
    limit: limitSchema(HISTORY_LIMIT_MAX, 50),
  })
  .refine((query) => [query.before, query.after, query.beforeSeq, query.afterSeq].filter((cursor) => cursor !== undefined).length <= 1, {
    message: 'use at most one of before, after, beforeSeq and afterSeq',
  });
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export const historyResponseSchema = z.object({
  messages: z.array(messageSchema),
  hasMore: z.boolean(),
});
export type HistoryResponse = z.infer<typeof historyResponseSchema>;

export const readMarkerRequestSchema = z.strictObject({ messageId: messageIdSchema });

export const presenceStatusSchema = z.enum(['online', 'offline']);
export const presenceSchema = z.object({
  userId: userIdSchema,
  status: presenceStatusSchema,
  lastSeenAt: z.string().nullable(),
});
export type Presence = z.infer<typeof presenceSchema>;

export const presenceQuerySchema = z.strictObject({
  userIds: text()
    .max(4_000)
    .transform((value) => value.split(',').filter((item) => item.length > 0))
    .pipe(z.array(userIdSchema).min(1).max(100)),
});
export const presenceListSchema = z.object({ presence: z.array(presenceSchema) });

export const readMarkerResponseSchema = z.object({
  roomId: roomIdSchema,
  /** The marker after the update (it never moves back). */
  lastReadMessageId: messageIdSchema,
});
export type ReadMarkerResponse = z.infer<typeof readMarkerResponseSchema>;

/**
 * A page of a thread's replies, always in room sequence order (like history). Read forwards from
 * the first reply (no cursor, then `afterSeq` = the last reply of the previous page) or backwards
 * from the latest (`from=end`, then `beforeSeq` = the first reply of the previous page, as a panel
 * that shows the newest replies and loads earlier ones does). `hasMore`: more in that direction.
 */
export const threadQuerySchema = z
  .strictObject({
    afterSeq: messageSeqQuerySchema.optional(),
    beforeSeq: messageSeqQuerySchema.optional(),
    from: z.enum(['start', 'end']).optional(),
    limit: limitSchema(THREAD_PAGE_MAX, 50),
  })
  .refine((query) => [query.afterSeq, query.beforeSeq, query.from].filter((cursor) => cursor !== undefined).length <= 1, {
    message: 'use at most one of afterSeq, beforeSeq and from',
  });
export type ThreadQuery = z.infer<typeof threadQuerySchema>;

export const threadResponseSchema = z.object({
  /** The message replied to, with its reply count and last reply time. */
  parent: messageSchema,
  replies: z.array(messageSchema),
  hasMore: z.boolean(),
});
export type ThreadResponse = z.infer<typeof threadResponseSchema>;
