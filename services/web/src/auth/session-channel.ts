import { z } from 'zod';
import { sessionEndReasonSchema } from '@parley/contracts';
import type { SignOutReason } from '../api/api-client';

/** The BroadcastChannel the tabs of this origin tell each other about ended sessions on. */
export const SESSION_CHANNEL_NAME = 'parley:session';

const sessionEndedMessageSchema = z.object({
  kind: z.literal('session-ended'),
  userId: z.string(),
  reason: z.union([sessionEndReasonSchema, z.enum(['signed-out', 'other-tab', 'refused'])]),
});

export interface SessionChannel {
  /** Tells the other tabs that the session of `userId` ended, and why. */
  announce(userId: string, reason: SignOutReason): void;
  close(): void;
}

/**
 * Tabs of one browser share the refresh cookie, so a session that ends in one tab has ended in
 * all of them; the server's `session:ended` reaches only tabs with a live socket, this reaches
 * every tab at once (also offline ones). A tab's own "Log out" arrives as `other-tab`.
 */
export function openSessionChannel(onEnded: (userId: string, reason: SignOutReason) => void): SessionChannel {
  if (typeof BroadcastChannel === 'undefined') return { announce: () => undefined, close: () => undefined };
  const channel = new BroadcastChannel(SESSION_CHANNEL_NAME);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const parsed = sessionEndedMessageSchema.safeParse(event.data);
    if (!parsed.success) return;
    const { userId, reason } = parsed.data;
    onEnded(userId, reason === 'signed-out' ? 'other-tab' : reason);
  };
  return {
    announce: (userId, reason) => channel.postMessage({ kind: 'session-ended', userId, reason } satisfies z.infer<typeof sessionEndedMessageSchema>),
    close: () => channel.close(),
  };
}
