import { z } from 'zod';
import { blocksChangedEventSchema, notificationEventSchema, userIdSchema } from '@parley/contracts';
import { blocksChangedChannel, notificationsChannel } from '@parley/keyspace';
import type { Logger } from '@parley/logger';
import { closeRedis, createRedis, subscribeWhenReady, type Redis } from '@parley/redis';
import { userChannel } from './channels.js';
import type { ChatServer } from './socket-types.js';

const notificationMessageSchema = z.object({ userId: userIdSchema, notification: notificationEventSchema });

export interface RedisEventRelay {
  /** Resolves once every channel is subscribed. */
  ready: Promise<void>;
  close(): Promise<void>;
  abort(): void;
}

/**
 * Plain Redis pub/sub events that every pod receives and applies to its OWN sockets only
 * (`io.local`), so nothing is repeated across pods (session revocations have their own
 * subscriber in SessionRevocations, see SocketSessions):
 *  - `events:notifications` `{userId, notification}` (persistence worker): relay `notification`;
 *  - `events:blocks-changed` `{userA, userB}` (user service): drop the pair's cached block answer.
 */
export function startRedisEventRelay(settings: {
  io: ChatServer;
  redisUrl: string;
  redisKeyPrefix: string;
  logger: Logger;
  onBlocksChanged(userA: string, userB: string): void;
}): RedisEventRelay {
  const { io, logger } = settings;
  const subscriber: Redis = createRedis({ url: settings.redisUrl, name: 'chat-socket-events', logger, maxRetriesPerRequest: null });
  const notifications = notificationsChannel(settings.redisKeyPrefix);
  const blocksChanged = blocksChangedChannel(settings.redisKeyPrefix);

  subscriber.on('message', (channel: string, raw: string) => {
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      logger.warn({ channel }, 'ignoring a non-JSON event');
      return;
    }
    if (channel === notifications) {
      const event = notificationMessageSchema.safeParse(payload);
      if (!event.success) return void logger.warn({ channel }, 'ignoring a malformed notification event');
      io.local.to(userChannel(event.data.userId)).emit('notification', event.data.notification);
    } else if (channel === blocksChanged) {
      const event = blocksChangedEventSchema.safeParse(payload);
      if (!event.success) return void logger.warn({ channel }, 'ignoring a malformed blocks-changed event');
      settings.onBlocksChanged(event.data.userA, event.data.userB);
    }
  });

  const ready = subscribeWhenReady(subscriber, notifications, blocksChanged);
  ready.catch((error: unknown) => logger.error({ err: error }, 'cannot subscribe to platform events'));

  return {
    ready,
    close: () => closeRedis(subscriber),
    abort: () => subscriber.disconnect(),
  };
}
