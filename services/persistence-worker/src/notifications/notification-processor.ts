import { UnrecoverableError, type Job } from 'bullmq';
import {
  claimMentionDigest,
  recordFriendRequestNotification,
  recordMentionNotifications,
  recordMessageNotifications,
  settleMentionDigest,
} from '@parley/chat-store';
import { notificationJobSchema, type NotificationRelay } from '@parley/contracts';
import type { Redis } from '@parley/redis';
import type { DatabaseConnection } from '@parley/db';
import { withoutChildSpans } from '@parley/tracing';
import type { MentionDigests } from '../mention-digests/mention-digests.js';
import { inJobSpan } from '../queues/job-trace.js';
import { publishNotifications } from './notification-publisher.js';

export interface NotificationProcessorDeps {
  database: DatabaseConnection;
  redis: Redis;
  redisKeyPrefix: string;
  /** Absent when mention digests are off: mentions are only recorded and relayed. */
  mentionDigests?: MentionDigests;
}

export interface NotificationResult {
  recorded: number;
}

/**
 * `notifications` jobs: `message` (from this worker, after a batch is persisted) records the
 * digest row of each offline member; `friend_request` and `friend_accepted` (from the user
 * service) record the row of the user to tell (the request's recipient, or its sender); `mention`
 * (from this worker) one row per mentioned member, online or not, and keeps the offline ones for
 * the email digest; `mention_digest` (delayed, from this processor) closes a digest window. Each
 * new or updated row is then published for live delivery.
 */
export function createNotificationProcessor(deps: NotificationProcessorDeps) {
  return async (job: Job): Promise<NotificationResult> => {
    const parsed = notificationJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid notification job: ${parsed.error.message}`);
    const data = parsed.data;
    // Its own span only: the row's SQL and the publish would add 3–5 spans to every message's
    // trace (the span budget, docs/observability.md); failures still mark this span.
    return inJobSpan(`notifications ${data.kind}`, data.trace, () => withoutChildSpans(async () => {
      const dataSource = await deps.database.ready();
      const createdAt = new Date().toISOString();
      let relays: NotificationRelay[];
      if (data.kind === 'message') {
        const { message } = data;
        const users = await recordMessageNotifications(dataSource, message, data.offlineUserIds);
        relays = users.map((userId) => ({
          userId,
          notification: { kind: 'message', roomId: message.roomId, fromUserId: message.senderId, messageId: message.id, createdAt },
        }));
      } else if (data.kind === 'mention') {
        const { message } = data;
        const users = await recordMentionNotifications(dataSource, message, data.mentionedUserIds);
        await deps.mentionDigests?.record(message, data.offlineUserIds ?? []);
        relays = users.map((userId) => ({
          userId,
          notification: { kind: 'mention', roomId: message.roomId, fromUserId: message.senderId, messageId: message.id, createdAt },
        }));
      } else if (data.kind === 'mention_digest') {
        if (deps.mentionDigests) await deps.mentionDigests.flush(data.userId, data.windowId);
        else {
          // Digests were turned off after the window opened: its mentions are dropped, not kept
          // as the oldest pending ones, which would name every later window after this one.
          await claimMentionDigest(dataSource, data.userId, data.windowId);
          await settleMentionDigest(dataSource, data.userId, data.windowId);
        }
        relays = [];
      } else {
        const created = await recordFriendRequestNotification(dataSource, data);
        relays = created ? [{ userId: data.toUserId, notification: { kind: data.kind, fromUserId: data.fromUserId, createdAt } }] : [];
      }
      await publishNotifications(deps.redis, deps.redisKeyPrefix, relays);
      return { recorded: relays.length };
    }));
  };
}
