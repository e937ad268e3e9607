import { z } from 'zod';
import { userIdSchema } from './common.js';

/**
 * What a timeline item of a room is (docs/decisions/0021-timeline-events.md). Every change to a
 * room's timeline is an item with its own id, client id and room sequence number, accepted,
 * stored and broadcast like a message; `message` is a message, the others change the message
 * named by `targetId`. Absent means `message` (items written before timeline events existed).
 */
export const timelineKindSchema = z.enum(['message', 'edit', 'delete', 'reaction_add', 'reaction_remove']);
export type TimelineKind = z.infer<typeof timelineKindSchema>;
export const TIMELINE_EVENT_KINDS = ['edit', 'delete', 'reaction_add', 'reaction_remove'] as const satisfies readonly TimelineKind[];
export type TimelineEventKind = (typeof TIMELINE_EVENT_KINDS)[number];

/** Distinct emoji one message may carry (a reaction with a new emoji beyond it is refused). */
export const REACTION_EMOJI_MAX = 20;
/** One emoji is a handful of code points (ZWJ sequences, skin tones, flags); 32 UTF-16 units holds them. */
export const EMOJI_MAX_LENGTH = 32;

/**
 * One Unicode emoji: a pictographic character or a regional-indicator pair, optionally joined
 * by ZWJ with more, with variation selectors, skin tone modifiers, keycap or tag characters.
 * Plain text, markup or several emoji side by side are refused.
 */
const EMOJI_PATTERN =
  /^(?:[#*0-9]\uFE0F?\u20E3|\p{Regional_Indicator}{2}|\p{Extended_Pictographic}[\uFE0F\p{Emoji_Modifier}\u{E0020}-\u{E007F}]*(?:\u200D\p{Extended_Pictographic}[\uFE0F\p{Emoji_Modifier}]*)*)$/u;

export const emojiSchema = z
  .string()
  .min(1)
  .max(EMOJI_MAX_LENGTH, `must be at most ${EMOJI_MAX_LENGTH} characters`)
  .regex(EMOJI_PATTERN, 'must be one emoji');

/** One emoji's reactions on a message: how many, and who (in the order they reacted). */
export const reactionSummarySchema = z.object({
  emoji: z.string(),
  count: z.number().int().positive(),
  userIds: z.array(userIdSchema),
});
export type ReactionSummary = z.infer<typeof reactionSummarySchema>;

/** One step of a message's text, for room owners and admins. */
export const messageRevisionSchema = z.object({
  /** The edit or delete event (for the original: the message). */
  eventId: z.string(),
  kind: z.enum(['original', 'edit', 'delete']),
  /** Who wrote (original, edit) or deleted it. */
  editorId: userIdSchema,
  /** The text at this step (empty for a deletion). */
  body: z.string(),
  createdAt: z.string(),
});
export const messageRevisionListSchema = z.object({ revisions: z.array(messageRevisionSchema) });
export type MessageRevisionList = z.infer<typeof messageRevisionListSchema>;
