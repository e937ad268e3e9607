import { z } from 'zod';
import { limitSchema, userIdSchema } from './common.js';
import { memberRoleSchema, roomIdSchema } from './chat.js';
import { text } from './text.js';
import { httpsUrlSchema } from './users.js';

// ---- room settings (group rooms; owners and admins) ----

export const ROOM_NAME_MAX = 100;
export const ROOM_TOPIC_MAX = 300;

export const updateRoomRequestSchema = z
  .strictObject({
    name: text().trim().min(1).max(ROOM_NAME_MAX).optional(),
    /** Empty or null clears it. */
    topic: text().trim().max(ROOM_TOPIC_MAX).nullable().optional(),
    avatarUrl: httpsUrlSchema.nullable().optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'at least one field is required' });
export type UpdateRoomRequest = z.infer<typeof updateRoomRequestSchema>;

/** Owners make members admins and back; ownership itself is not handed over this way. */
export const memberRoleRequestSchema = z.strictObject({ role: memberRoleSchema.exclude(['owner']) });
export type MemberRoleRequest = z.infer<typeof memberRoleRequestSchema>;

/** The caller's own preference for a room. */
export const roomPreferencesRequestSchema = z.strictObject({ muted: z.boolean() });
export type RoomPreferencesRequest = z.infer<typeof roomPreferencesRequestSchema>;
export const roomPreferencesSchema = z.object({ roomId: roomIdSchema, muted: z.boolean() });
export type RoomPreferences = z.infer<typeof roomPreferencesSchema>;

// ---- invite links (private group rooms) ----

export const INVITE_MAX_HOURS = 24 * 30;
export const createInviteRequestSchema = z.strictObject({
  expiresInHours: z.number().int().min(1).max(INVITE_MAX_HOURS).default(24 * 7),
});
export type CreateInviteRequest = z.infer<typeof createInviteRequestSchema>;

/** 32 random bytes, base64url: the secret part of an invite link. Only its hash is stored. */
export const inviteTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be an invite token');
export const inviteTokenParamsSchema = z.strictObject({ token: inviteTokenSchema });
export const inviteParamsSchema = z.strictObject({ id: roomIdSchema, inviteId: z.uuid() });

export const roomInviteSchema = z.object({
  id: z.uuid(),
  roomId: roomIdSchema,
  createdBy: userIdSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  /** How many people joined with it. */
  uses: z.number().int().nonnegative(),
});
export type RoomInvite = z.infer<typeof roomInviteSchema>;
/** The answer to creating an invite: the only time the token is shown. */
export const createdInviteSchema = roomInviteSchema.extend({ token: inviteTokenSchema });
export type CreatedInvite = z.infer<typeof createdInviteSchema>;
export const roomInviteListSchema = z.object({ invites: z.array(roomInviteSchema) });

/** What a link shows before joining. */
export const invitePreviewSchema = z.object({
  room: z.object({
    id: roomIdSchema,
    name: z.string().nullable(),
    topic: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    memberCount: z.number().int().nonnegative(),
  }),
  expiresAt: z.string(),
  alreadyMember: z.boolean(),
});
export type InvitePreview = z.infer<typeof invitePreviewSchema>;

// ---- the room's timeline of membership and settings changes ----

export const roomEventKindSchema = z.enum([
  'created',
  /** Joined by themselves (a public room, or an invite link). */
  'joined',
  /** Added by `actorId`. */
  'added',
  'left',
  /** Removed by `actorId`. */
  'removed',
  'renamed',
  'topic-changed',
  'avatar-changed',
  'role-changed',
]);
export type RoomEventKind = z.infer<typeof roomEventKindSchema>;

/** Largest PostgreSQL bigint: event ids are stored as one. */
const BIGINT_MAX = 9_223_372_036_854_775_807n;
/** Canonical digits within PostgreSQL's bigint, so no `before` the API takes can fail a cast. */
export const roomEventIdSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,18})$/, 'must be an event id')
  // Runs even when the pattern failed: BigInt must only see digits.
  .refine((value) => /^\d+$/.test(value) && BigInt(value) <= BIGINT_MAX, { message: 'must be an event id' });
export const roomEventSchema = z.object({
  id: roomEventIdSchema,
  roomId: roomIdSchema,
  kind: roomEventKindSchema,
  /** Who did it (null when the server did, e.g. an owner handed over on leaving). */
  actorId: userIdSchema.nullable(),
  /** Whom it concerns (membership and role events). */
  userId: userIdSchema.nullable(),
  /** `name`, `topic` or `role` after the change, by kind. */
  data: z.object({ name: z.string().optional(), topic: z.string().nullable().optional(), role: memberRoleSchema.optional() }).nullable(),
  createdAt: z.string(),
});
export type RoomEvent = z.infer<typeof roomEventSchema>;

export const ROOM_EVENTS_LIMIT_MAX = 200;
export const roomEventQuerySchema = z.strictObject({
  before: roomEventIdSchema.optional(),
  limit: limitSchema(ROOM_EVENTS_LIMIT_MAX, 100),
});
export const roomEventListSchema = z.object({
  /** Oldest first. */
  events: z.array(roomEventSchema),
  hasMore: z.boolean(),
});
export type RoomEventList = z.infer<typeof roomEventListSchema>;

/** `room:updated` (and the answer to `PATCH /rooms/:id`): the settings of a room after a change. */
export const roomUpdatedSchema = z.object({
  id: roomIdSchema,
  name: z.string().nullable(),
  topic: z.string().nullable(),
  avatarUrl: z.string().nullable(),
});
export type RoomUpdatedEvent = z.infer<typeof roomUpdatedSchema>;

/** `room:member-role`: a member's role changed. */
export interface MemberRoleEvent {
  roomId: string;
  userId: string;
  role: z.infer<typeof memberRoleSchema>;
}

