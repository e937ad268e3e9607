import { z } from 'zod';
import { text } from './text.js';

/**
 * Attachments (docs/decisions/0036-attachments.md): files uploaded to a room over REST, then
 * named by a message. The server decides what a file is from its bytes, never from what the
 * client says; images are re-encoded (metadata stripped) and get a thumbnail.
 */
export const attachmentIdSchema = z.uuid();
export type AttachmentId = z.infer<typeof attachmentIdSchema>;

/** Most attachments one message may carry. */
export const MESSAGE_ATTACHMENTS_MAX = 10;

/** Ids a message names; each at most once. */
export const messageAttachmentIdsSchema = z
  .array(attachmentIdSchema)
  .min(1)
  .max(MESSAGE_ATTACHMENTS_MAX, `a message carries at most ${MESSAGE_ATTACHMENTS_MAX} attachments`)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'names an attachment twice' });

/** `image`: re-encoded, shown inline; `file`: anything else, only ever downloaded. */
export const attachmentKindSchema = z.enum(['image', 'file']);
export type AttachmentKind = z.infer<typeof attachmentKindSchema>;

export const ATTACHMENT_NAME_MAX = 255;

/** What a message (history, sync, broadcast) says about each of its files. */
export const messageAttachmentSchema = z.object({
  id: attachmentIdSchema,
  /** The uploader's file name (shown, and offered when downloading). */
  name: z.string(),
  kind: attachmentKindSchema,
  /** The type sniffed from the bytes (after re-encoding, for images). */
  contentType: z.string(),
  /** Bytes as stored. */
  size: z.number().int().nonnegative(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** A thumbnail can be asked for (images). */
  thumbnail: z.boolean(),
});
export type MessageAttachment = z.infer<typeof messageAttachmentSchema>;

/** `POST /api/v1/rooms/:id/attachments?name=`: the body is the file's bytes. */
export const uploadAttachmentQuerySchema = z.strictObject({
  name: text()
    .trim()
    .min(1)
    .max(ATTACHMENT_NAME_MAX)
    .refine((name) => !/[/\\]/.test(name), { message: 'must be a file name, not a path' })
    .optional(),
});
export const uploadAttachmentResponseSchema = z.object({ attachment: messageAttachmentSchema });
export type UploadAttachmentResponse = z.infer<typeof uploadAttachmentResponseSchema>;

export const roomAttachmentParamsSchema = z.strictObject({ id: z.uuid(), attachmentId: attachmentIdSchema });

export const attachmentVariantSchema = z.enum(['original', 'thumbnail']);
export type AttachmentVariant = z.infer<typeof attachmentVariantSchema>;

/**
 * `GET /api/v1/rooms/:id/attachments/:attachmentId/links`: short-lived signed URLs for the
 * caller (members only); they work without a bearer token (an `<img src>`), until `expiresAt`.
 */
export const attachmentLinksSchema = z.object({
  url: z.string(),
  thumbnailUrl: z.string().optional(),
  /** ISO 8601. */
  expiresAt: z.string(),
});
export type AttachmentLinks = z.infer<typeof attachmentLinksSchema>;

/** The query of a signed download URL (every field bound by the signature). */
export const signedDownloadQuerySchema = z.strictObject({
  variant: attachmentVariantSchema,
  user: z.uuid(),
  expires: z.string().regex(/^\d{1,12}$/, 'must be epoch seconds').transform(Number),
  signature: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a signature'),
});
