import { z } from 'zod';
import { cursorSchema, limitSchema, userIdSchema } from './common.js';
import { messageIdSchema, messageSchema, roomIdSchema } from './chat.js';
import { text } from './text.js';
import { messageAttachmentSchema } from './attachments.js';

/** Longest search query, in characters: a sentence or two; longer ones are refused, not cut. */
export const SEARCH_QUERY_MAX = 200;
export const SEARCH_LIMIT_MAX = 50;

/**
 * `GET /api/v1/search/messages`: words to find (web-search syntax: `"a phrase"`, `or`, `-word`;
 * any other punctuation is just a separator), across the caller's rooms or in one of them.
 */
export const messageSearchQuerySchema = z.strictObject({
  q: text().trim().min(1, 'must not be empty').max(SEARCH_QUERY_MAX, `must be at most ${SEARCH_QUERY_MAX} characters`),
  roomId: roomIdSchema.optional(),
  cursor: cursorSchema.optional(),
  limit: limitSchema(SEARCH_LIMIT_MAX, 20),
});
export type MessageSearchQuery = z.infer<typeof messageSearchQuerySchema>;

/** A matched stretch of a snippet: UTF-16 offset and length into `snippet.text`. */
export const snippetRangeSchema = z.object({ start: z.number().int().nonnegative(), length: z.number().int().positive() });

/**
 * An excerpt of the message around the matches, as plain text plus the matched ranges: clients
 * render the text as text and mark the ranges, so no markup ever comes from a message.
 */
export const searchSnippetSchema = z.object({ text: z.string(), highlights: z.array(snippetRangeSchema) });
export type SearchSnippet = z.infer<typeof searchSnippetSchema>;

export const messageSearchHitSchema = z.object({
  roomId: roomIdSchema,
  messageId: messageIdSchema,
  seq: z.number().int().positive(),
  senderId: userIdSchema,
  createdAt: z.string(),
  /** When last edited (the snippet is of the current text). */
  editedAt: z.string().optional(),
  snippet: searchSnippetSchema,
  /** The files the message carries (links through the attachment links endpoint, for members). */
  attachments: z.array(messageAttachmentSchema).optional(),
});
export type MessageSearchHit = z.infer<typeof messageSearchHitSchema>;

/** Best matches first, then newest; `nextCursor` pages on (null: no more). */
export const messageSearchResponseSchema = z.object({ results: z.array(messageSearchHitSchema), nextCursor: z.string().nullable() });
export type MessageSearchResponse = z.infer<typeof messageSearchResponseSchema>;

export const AROUND_LIMIT_MAX = 50;
/** `GET /api/v1/rooms/:id/messages/around/:messageId`: up to `limit` messages on each side. */
export const messagesAroundQuerySchema = z.strictObject({ limit: limitSchema(AROUND_LIMIT_MAX, 25) });
export const messagesAroundResponseSchema = z.object({
  /** In sequence order; the message asked for is among them. */
  messages: z.array(messageSchema),
  hasMoreBefore: z.boolean(),
  hasMoreAfter: z.boolean(),
});
export type MessagesAroundResponse = z.infer<typeof messagesAroundResponseSchema>;
