import type { Redis } from 'ioredis';
import { USER_SESSIONS_REVOKED_CHANNEL, type UserSessionsRevokedEvent } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { redisKey } from '@parley/redis';

/** The channel under an install's key prefix: `parley:events:user-sessions-revoked`. */
export function sessionsRevokedChannel(redisKeyPrefix: string): string {
  return redisKey(redisKeyPrefix, USER_SESSIONS_REVOKED_CHANNEL);
}

/**
 * Tells other services (chat sockets) that a user's sessions ended, so they can drop live
 * connections. Best effort: the tokens are already revoked in the database.
 */
export async function publishSessionsRevoked(
  redis: Redis,
  redisKeyPrefix: string,
  event: UserSessionsRevokedEvent,
  logger: Logger,
): Promise<void> {
  try {
    await redis.publish(sessionsRevokedChannel(redisKeyPrefix), JSON.stringify(event));
  } catch (error) {
    logger.warn({ err: error, userId: event.userId }, 'could not publish the sessions-revoked event');
  }
}
