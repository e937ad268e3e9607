import { Queue, type ConnectionOptions } from 'bullmq';
import { NOTIFICATION_JOB_OPTIONS, QUEUE_NAMES, notificationJobSchema, type FriendRequest, type NotificationJob } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { bullPrefix } from '@parley/mail';
import { traceCarrierOf } from '@parley/tracing';

export interface FriendRequestNotifier {
  /** Queues a notification for the recipient; never fails the request that caused it. */
  notify(request: FriendRequest): Promise<void>;
  close(): Promise<void>;
}

/** Friend requests become jobs on the `notifications` queue (the persistence worker records and pushes them). */
export function createFriendRequestNotifier(connection: ConnectionOptions, redisKeyPrefix: string, logger: Logger): FriendRequestNotifier {
  const queue = new Queue<NotificationJob>(QUEUE_NAMES.notifications, { connection, prefix: bullPrefix(redisKeyPrefix) });
  return {
    async notify(request) {
      const trace = traceCarrierOf();
      const job = notificationJobSchema.parse({
        kind: 'friend_request',
        requestId: request.id,
        fromUserId: request.fromUser.id,
        toUserId: request.toUser.id,
        // The request's trace continues in the worker that records and pushes the notification.
        ...(trace ? { trace } : {}),
      });
      try {
        // A deterministic id: one job per request even if the client retries.
        await queue.add('friend_request', job, { ...NOTIFICATION_JOB_OPTIONS, jobId: `friend-request-${request.id}` });
      } catch (error) {
        // The request itself is committed; a lost badge is better than a failed request.
        logger.warn({ err: error, requestId: request.id }, 'could not queue the friend request notification');
      }
    },
    close: () => queue.close(),
  };
}
