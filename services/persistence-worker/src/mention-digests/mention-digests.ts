import { claimMentionDigest, recordMentionDigestItems, settleMentionDigest, type MentionDigestItem } from '@parley/chat-store';
import type { Message } from '@parley/contracts';
import type { DatabaseConnection } from '@parley/db';
import type { Logger } from '@parley/logger';
import type { Producer } from '@parley/queues';
import { composeMentionDigestMail } from './digest-mail.js';
import type { DigestMetrics, DigestOutcome } from './digest-metrics.js';
import type { UserDirectory } from './user-directory.js';

/**
 * Job id of a window's digest, on the `notifications` queue (the delayed job) and on the `mail`
 * queue (its email): adding either again while the first is kept is a no-op.
 */
export const mentionDigestJobId = (userId: string, windowId: string) => `mention-digest-${userId}-${windowId}`;

export interface MentionDigestSettings {
  windowSeconds: number;
  maxItems: number;
  publicUrl: string;
}

export interface MentionDigestDeps {
  database: DatabaseConnection;
  notifications: Producer<'notifications'>;
  mail: Producer<'mail'>;
  directory: UserDirectory;
  metrics: DigestMetrics;
  logger: Logger;
  settings: MentionDigestSettings;
}

export interface MentionDigests {
  /** Keeps the mention for the digest of each offline member and schedules their window's job. */
  record(message: Message, offlineUserIds: string[]): Promise<void>;
  /** Closes a window: one email, or none (outcome); undefined when the window had nothing left. */
  flush(userId: string, windowId: string): Promise<DigestOutcome | undefined>;
}

/**
 * Mentions of offline members by email, one digest per user and window
 * (docs/decisions/0037-mention-email-digest.md). Pending mentions are rows in PostgreSQL; a
 * delayed job per window, with a deterministic id, closes the window. Closing claims the rows
 * once, queues the email under the window's job id, then settles the rows: a run repeated at any
 * point (a crash, a restart, a retry) queues the same email id again, which BullMQ ignores.
 */
export function createMentionDigests(deps: MentionDigestDeps): MentionDigests {
  const { database, settings } = deps;
  return {
    async record(message, offlineUserIds) {
      if (offlineUserIds.length === 0) return;
      const windows = await recordMentionDigestItems(await database.ready(), message, offlineUserIds);
      const now = Date.now();
      await deps.notifications.addBulk(
        windows.map(({ userId, windowId, opensAt }) => ({
          name: 'mention_digest',
          data: { kind: 'mention_digest' as const, userId, windowId },
          jobId: mentionDigestJobId(userId, windowId),
          delayMs: Math.max(0, opensAt.getTime() + settings.windowSeconds * 1000 - now),
        })),
      );
    },

    async flush(userId, windowId) {
      const dataSource = await database.ready();
      const claimed = await claimMentionDigest(dataSource, userId, windowId);
      if (claimed.claimedCount === 0) return undefined;
      const outcome = await sendDigest(deps, userId, windowId, claimed.items);
      await settleMentionDigest(dataSource, userId, windowId);
      deps.metrics.mentionDigests.inc({ outcome });
      deps.logger.info({ userId, windowId, outcome }, 'mention digest window closed');
      return outcome;
    },
  };
}

async function sendDigest(deps: MentionDigestDeps, userId: string, windowId: string, unread: MentionDigestItem[]): Promise<DigestOutcome> {
  if (unread.length === 0) return 'skipped_nothing_unread';
  // A block either way hides the other's mentions from mail too (the in-app row stays, as for any mention).
  const blocked = await deps.directory.blockedIds(userId);
  const items = unread.filter((item) => !blocked.has(item.senderId));
  if (items.length === 0) return 'skipped_nothing_unread';

  const shown = items.slice(0, deps.settings.maxItems);
  const profiles = await deps.directory.mailProfiles([userId, ...shown.map((item) => item.senderId)]);
  const recipient = profiles.get(userId);
  if (!recipient?.email) return 'skipped_no_address';
  if (!recipient.mentionDigest) return 'skipped_opted_out';
  // Anyone can register with someone else's address: only its confirmed owner gets mail.
  if (!recipient.emailVerified) return 'skipped_unconfirmed_address';

  const mail = composeMentionDigestMail({
    recipient: { ...recipient, email: recipient.email },
    items: shown,
    more: items.length - shown.length,
    authors: profiles,
    publicUrl: deps.settings.publicUrl,
  });
  await deps.mail.add({ name: 'mention-digest', data: mail, jobId: mentionDigestJobId(userId, windowId) });
  return 'sent';
}
