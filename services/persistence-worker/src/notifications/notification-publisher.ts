import type { NotificationRelay } from '@parley/contracts';
import { notificationsChannel } from '@parley/keyspace';
import type { Redis } from '@parley/redis';

/**
 * Hands live notifications to chat-socket: PUBLISH `{ userId, notification }` on
 * `notificationsChannel`; every chat-socket pod emits `notification` to its own
 * sockets in `user:<userId>`. Fire-and-forget, like any socket event: users who are not
 * connected find the row in chat.notifications instead.
 */
export async function publishNotifications(redis: Redis, redisKeyPrefix: string, relays: NotificationRelay[]): Promise<void> {
  if (relays.length === 0) return;
  const channel = notificationsChannel(redisKeyPrefix);
  const pipeline = redis.pipeline();
  for (const relay of relays) pipeline.publish(channel, JSON.stringify(relay));
  await pipeline.exec();
}
