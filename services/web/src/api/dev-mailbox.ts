import { z } from 'zod';

/**
 * `GET /dev/mailbox?to=` exists only on the local launcher (mail goes to files there, not to
 * an SMTP server). Not part of the public API, so its shape lives here rather than in contracts.
 */
export const devMailboxMessageSchema = z.object({
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  kind: z.string().optional(),
  sentAt: z.string().optional(),
});
export type DevMailboxMessage = z.infer<typeof devMailboxMessageSchema>;

export const devMailboxSchema = z.object({ messages: z.array(devMailboxMessageSchema) });

/** The newest 6-digit code in a set of mails of one kind (newest first), if any. */
export function latestCode(messages: readonly DevMailboxMessage[], kind?: string): string | undefined {
  for (const message of messages) {
    if (kind && message.kind !== kind) continue;
    const match = /\b(\d{6})\b/.exec(message.text);
    if (match?.[1]) return match[1];
  }
  return undefined;
}
