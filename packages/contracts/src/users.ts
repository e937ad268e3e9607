import { z } from 'zod';
import { cursorSchema, limitSchema, userIdSchema } from './common.js';
import { text } from './text.js';

export const publicProfileSchema = z.object({
  id: userIdSchema,
  username: z.string(),
  displayName: z.string().nullable(),
  bio: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  createdAt: z.string(),
});
export type PublicProfile = z.infer<typeof publicProfileSchema>;

export const ownProfileSchema = publicProfileSchema.extend({
  email: z.string().nullable(),
  /** Mentions received while offline are mailed as a digest (the owner may turn it off). */
  mentionDigest: z.boolean(),
  updatedAt: z.string(),
});
export type OwnProfile = z.infer<typeof ownProfileSchema>;

/**
 * A picture on the web (profile and room avatars): https only, because the web client loads
 * pictures from https addresses only (an http one would be saved and then never shown).
 */
export const httpsUrlSchema = text()
  .max(2048)
  .pipe(z.url({ protocol: /^https$/, message: 'must be an https URL' }));

export const updateProfileRequestSchema = z
  .strictObject({
    displayName: text().trim().min(1).max(64).nullable().optional(),
    bio: text({ multiline: true }).trim().max(500).nullable().optional(),
    avatarUrl: httpsUrlSchema.nullable().optional(),
    mentionDigest: z.boolean().optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'at least one field is required' });
export type UpdateProfileRequest = z.infer<typeof updateProfileRequestSchema>;

export const userSearchQuerySchema = z.strictObject({
  query: text().trim().min(1).max(254),
  limit: limitSchema(50, 20),
  cursor: cursorSchema.optional(),
});
export type UserSearchQuery = z.infer<typeof userSearchQuerySchema>;

export const userSearchResponseSchema = z.object({
  users: z.array(publicProfileSchema),
  nextCursor: z.string().nullable(),
});
export type UserSearchResponse = z.infer<typeof userSearchResponseSchema>;

export const userIdParamsSchema = z.strictObject({ userId: userIdSchema });
export const idParamsSchema = z.strictObject({ id: userIdSchema });

export const createFriendRequestSchema = z.strictObject({ userId: userIdSchema });
export type CreateFriendRequest = z.infer<typeof createFriendRequestSchema>;

/** `cancelled`: a block between the two users withdrew the pending request. */
export const friendRequestStatusSchema = z.enum(['pending', 'accepted', 'rejected', 'cancelled']);
export type FriendRequestStatus = z.infer<typeof friendRequestStatusSchema>;

export const friendRequestSchema = z.object({
  id: userIdSchema,
  fromUser: publicProfileSchema,
  toUser: publicProfileSchema,
  status: friendRequestStatusSchema,
  createdAt: z.string(),
});
export type FriendRequest = z.infer<typeof friendRequestSchema>;

export const friendRequestListQuerySchema = z.strictObject({
  direction: z.enum(['incoming', 'outgoing']).default('incoming'),
});

export const friendRequestListSchema = z.object({ requests: z.array(friendRequestSchema) });

export const friendSchema = z.object({
  user: publicProfileSchema,
  since: z.string(),
});
export const friendListSchema = z.object({ friends: z.array(friendSchema) });
export type Friend = z.infer<typeof friendSchema>;

export const blockedUserSchema = z.object({
  user: publicProfileSchema,
  since: z.string(),
});
export type BlockedUser = z.infer<typeof blockedUserSchema>;
export const blockListSchema = z.object({ blocks: z.array(blockedUserSchema) });
export type BlockList = z.infer<typeof blockListSchema>;
