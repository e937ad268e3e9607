import type { ConnectionOptions } from 'bullmq';
import type { FriendRequest } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { createProducer } from '@parley/queues';
import { traceCarrierOf } from '@parley/tracing';

export interface FriendRequestNotifier {
  /** Queues a notification for the recipient; never fails the request that caused it. */
  notify(request: FriendRequest): Promise<void>;
  /** Queues a notification telling the request's sender it was accepted; never fails the answer. */
  notifyAccepted(request: FriendRequest): Promise<void>;
  close(): Promise<void>;
}

/**
 * Friend requests, and their acceptance, become jobs on the `notifications` queue (the
 * persistence worker records and pushes them): the recipient hears of a new request, the
 * sender of its acceptance.
 */
export function createFriendRequestNotifier(connection: ConnectionOptions, redisKeyPrefix: string, logger: Logger): FriendRequestNotifier {
  const producer = createProducer('notifications', { connection, installPrefix: redisKeyPrefix, logger });
  const enqueue = async (kind: 'friend_request' | 'friend_accepted', jobId: string, fromUserId: string, toUserId: string, requestId: string) => {
    const trace = traceCarrierOf();
    // The request's trace continues in the worker that records and pushes the notification.
    const data = { kind, requestId, fromUserId, toUserId, ...(trace ? { trace } : {}) };
    try {
      // A deterministic id: one job per request even if the client retries.
      await producer.add({ name: kind, data, jobId });
    } catch (error) {
      // The request itself is committed; a lost badge is better than a failed request.
      logger.warn({ err: error, requestId, kind }, 'could not queue a friend request notification');
    }
  };
  return {
    notify: (request) => enqueue('friend_request', `friend-request-${request.id}`, request.fromUser.id, request.toUser.id, request.id),
    // From the one who accepted to the one who asked.
    notifyAccepted: (request) => enqueue('friend_accepted', `friend-accepted-${request.id}`, request.toUser.id, request.fromUser.id, request.id),
    close: () => producer.close(),
  };
}
