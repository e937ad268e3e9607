import { z } from 'zod';
import { userIdSchema } from './common.js';

/**
 * Replies and @mentions (docs/decisions/0034-replies-and-mentions.md). A message may reply to
 * another message of its room (`replyTo`); it then carries a quote of its parent, and the parent
 * carries how many replies it has and when the last one came. `@username` in a body names room
 * members; the server resolves them at send time and stores their user ids with the message.
 */

/** Distinct members one message may mention (further names stay plain text). */
export const MENTIONS_MAX = 20;
/** Characters of a parent's text quoted with a reply. */
export const REPLY_EXCERPT_MAX = 140;
/** Replies per page of a thread. */
export const THREAD_PAGE_MAX = 100;

/** The parent of a reply as shown with it: who wrote it and the start of its text, or that it was deleted. */
export const replyQuoteSchema = z.object({
  messageId: z.string(),
  senderId: userIdSchema,
  /** The first REPLY_EXCERPT_MAX characters of the parent's text (empty once deleted). */
  excerpt: z.string(),
  deleted: z.boolean(),
});
export type ReplyQuote = z.infer<typeof replyQuoteSchema>;

/** The start of a message's text as quoted with its replies. */
export function replyExcerpt(body: string): string {
  return body.length <= REPLY_EXCERPT_MAX ? body : body.slice(0, REPLY_EXCERPT_MAX);
}

/**
 * `@name` where name has the username alphabet (usernameSchema: a-z, 0-9, `_`, `.`), not preceded
 * by a word character (so `me@example.com` is no mention) nor followed by one (longer than a
 * username: no mention at all). A trailing dot ends a sentence, not
 * the name.
 */
const MENTION_PATTERN = /(^|[^a-z0-9_.@])@([a-z0-9_.]{3,32})(?![a-z0-9_])/giu;

/** Where each `@name` is in a body (for highlighting) and which name it is (lower-cased). */
export function findMentions(body: string): Array<{ start: number; end: number; username: string }> {
  const found: Array<{ start: number; end: number; username: string }> = [];
  for (const match of body.matchAll(MENTION_PATTERN)) {
    const name = match[2]!.replace(/\.+$/u, '');
    if (name.length < 3) continue;
    const start = match.index + match[1]!.length;
    found.push({ start, end: start + 1 + name.length, username: name.toLowerCase() });
  }
  return found;
}

/** The distinct usernames a body mentions, in order, at most MENTIONS_MAX. */
export function mentionedUsernames(body: string): string[] {
  return [...new Set(findMentions(body).map((mention) => mention.username))].slice(0, MENTIONS_MAX);
}
