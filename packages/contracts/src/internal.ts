import { z } from 'zod';
import { userIdSchema } from './common.js';
import { usernameSchema } from './auth.js';
import { MENTIONS_MAX } from './replies.js';
import { text } from './text.js';

/** auth → user: make sure a profile exists for a registered account (idempotent). */
export const provisionProfileRequestSchema = z.strictObject({
  username: text().min(1).max(32),
  email: text().max(254),
});
export type ProvisionProfileRequest = z.infer<typeof provisionProfileRequestSchema>;

/**
 * auth → user, `PUT /internal/v1/profiles/:id/email` through the auth outbox: the account's
 * address and whether its owner has confirmed it. `version` counts the account's address changes
 * and confirmations (0 at registration, so a message carries 1 or more); the user service keeps the highest it has seen, so a
 * repeated or late message changes nothing (idempotent, out-of-order safe). 204; 404 while the
 * profile does not exist yet (the outbox retries).
 */
export const profileEmailStateRequestSchema = z.strictObject({
  email: text().max(254),
  emailVerified: z.boolean(),
  version: z.number().int().min(1).max(2_147_483_647),
});
export type ProfileEmailStateRequest = z.infer<typeof profileEmailStateRequestSchema>;
export const profileEmailStatePath = (userId: string) => `internal/v1/profiles/${encodeURIComponent(userId)}/email`;

export const blockCheckQuerySchema = z.strictObject({
  userA: userIdSchema,
  userB: userIdSchema,
});
export const blockCheckResponseSchema = z.object({ blocked: z.boolean() });
export type BlockCheckResponse = z.infer<typeof blockCheckResponseSchema>;

/** Header carrying the shared secret of internal endpoints. */
export const INTERNAL_TOKEN_HEADER = 'x-parley-internal-token';

/** user → chat-socket: whom to tell about a user's presence. */
export const friendIdsResponseSchema = z.object({ friendIds: z.array(userIdSchema) });
export type FriendIdsResponse = z.infer<typeof friendIdsResponseSchema>;

/** user → chat-socket: everyone a user blocks or is blocked by (presence is hidden between them). */
export const blockedIdsResponseSchema = z.object({ userIds: z.array(userIdSchema) });
export type BlockedIdsResponse = z.infer<typeof blockedIdsResponseSchema>;

/**
 * user → chat-socket, Redis pub/sub `blocksChangedChannel` (@parley/keyspace): a block between
 * two users was added or lifted, so cached "may these two talk" answers must be dropped now.
 */
export const blocksChangedEventSchema = z.object({ userA: userIdSchema, userB: userIdSchema });
export type BlocksChangedEvent = z.infer<typeof blocksChangedEventSchema>;

/**
 * Account deletion, delivered by the auth service's outbox (retried until answered; both
 * idempotent, 204, behind INTERNAL_TOKEN_HEADER; see docs/decisions/0014-account-deletion.md):
 * - auth → user: `DELETE /internal/v1/profiles/:id` removes the profile, friendships, friend
 *   requests and blocks (announcing each former block on the blocks-changed channel);
 * - auth → chat-socket: `DELETE /internal/v1/users/:id/memberships` takes the account out of
 *   every room and drops its notifications. Path parameters: idParamsSchema.
 */
export const ACCOUNT_DELETION_ENDPOINTS = {
  profile: (userId: string) => `internal/v1/profiles/${encodeURIComponent(userId)}`,
  memberships: (userId: string) => `internal/v1/users/${encodeURIComponent(userId)}/memberships`,
} as const;

/** chat-socket → user: the users with these usernames (to resolve `@username` mentions at send time). */
export const usernameLookupRequestSchema = z.strictObject({
  usernames: z.array(usernameSchema).min(1).max(MENTIONS_MAX),
});
export type UsernameLookupRequest = z.infer<typeof usernameLookupRequestSchema>;
export const usernameLookupResponseSchema = z.object({ users: z.array(z.object({ id: userIdSchema, username: z.string() })) });
export type UsernameLookupResponse = z.infer<typeof usernameLookupResponseSchema>;

/** persistence-worker → user: what a mention digest needs of its recipient and of the mentions' authors. */
export const MAIL_PROFILES_MAX = 100;
export const mailProfilesRequestSchema = z.strictObject({
  userIds: z.array(userIdSchema).min(1).max(MAIL_PROFILES_MAX),
});
export type MailProfilesRequest = z.infer<typeof mailProfilesRequestSchema>;
export const mailProfileSchema = z.object({
  id: userIdSchema,
  username: z.string(),
  displayName: z.string().nullable(),
  /** Null until the auth service has provisioned the profile. */
  email: z.string().nullable(),
  /**
   * Whether the owner has confirmed `email` with the auth service's code; only a confirmed
   * address is mailed. Absent (an older user service) reads as unconfirmed.
   */
  emailVerified: z.boolean().default(false),
  /** The user's choice to get mentions by email while away. */
  mentionDigest: z.boolean(),
});
export type MailProfile = z.infer<typeof mailProfileSchema>;
export const mailProfilesResponseSchema = z.object({ users: z.array(mailProfileSchema) });
export type MailProfilesResponse = z.infer<typeof mailProfilesResponseSchema>;
