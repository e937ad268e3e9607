import type { MentionDigestItem } from '@parley/chat-store';
import type { MailJob, MailProfile } from '@parley/contracts';

/** Characters of a message shown in the digest. */
export const EXCERPT_CHARS = 140;

export interface DigestMailInput {
  recipient: MailProfile & { email: string };
  /** The mentions to list (already cut to the configured maximum), oldest first. */
  items: MentionDigestItem[];
  /** Mailable mentions in the window beyond `items`. */
  more: number;
  authors: Map<string, MailProfile>;
  publicUrl: string;
}

/**
 * The digest as plain text only: user-written content (bodies, names, room names) goes out as
 * text with control and formatting characters removed, never as HTML, so nothing in it can
 * become markup, a hidden link or a forged line of the mail.
 */
export function composeMentionDigestMail(input: DigestMailInput): MailJob {
  const total = input.items.length + input.more;
  const origin = input.publicUrl.replace(/\/+$/, '');
  const lines = [`Hello ${nameOf(input.recipient)},`, '', `You were mentioned ${total === 1 ? 'once' : `${total} times`} on Parley while you were away:`, ''];
  for (const item of input.items) {
    const author = input.authors.get(item.senderId);
    const where = item.roomName === null ? 'a direct message' : `#${plain(item.roomName, 64)}`;
    lines.push(`- ${author ? nameOf(author) : 'Someone'} in ${where}, ${item.createdAt.slice(0, 16).replace('T', ' ')} UTC:`);
    lines.push(`  "${plain(item.body, EXCERPT_CHARS)}"`);
    lines.push(`  ${origin}/rooms/${encodeURIComponent(item.roomId)}`);
    lines.push('');
  }
  if (input.more > 0) lines.push(`…and ${input.more} more.`, '');
  lines.push(
    `Open Parley: ${origin}/`,
    '',
    'You get this email because you were offline when you were mentioned. To stop these emails, turn off mention emails in your profile settings.',
  );
  return {
    to: input.recipient.email,
    subject: total === 1 ? 'You were mentioned on Parley' : `You were mentioned ${total} times on Parley`,
    text: `${lines.join('\n')}\n`,
    kind: 'mention-digest',
  };
}

function nameOf(profile: MailProfile): string {
  return plain(profile.displayName ?? profile.username, 64) || plain(profile.username, 64);
}

/** Embeddings, overrides, isolates and marks: they can make a line read as something else. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** One line of plain text: control characters and bidi controls dropped, whitespace collapsed, cut with an ellipsis. */
export function plain(value: string, maxChars: number): string {
  const flat = value
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(BIDI_CONTROLS, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...flat];
  return chars.length <= maxChars ? flat : `${chars.slice(0, maxChars - 1).join('').trimEnd()}…`;
}
