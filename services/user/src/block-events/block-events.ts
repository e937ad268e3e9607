import type { Redis } from '@parley/redis';
import type { BlocksChangedEvent } from '@parley/contracts';
import { blocksChangedChannel } from '@parley/keyspace';
import type { Logger } from '@parley/logger';

export interface BlockEvents {
  /** Tells chat-socket pods that a block between the two changed (their cached answers go stale). */
  changed(userA: string, userB: string): Promise<void>;
}

/** Publishes on `blocksChangedChannel`; a failed publish is logged, never fails the request. */
export function createBlockEvents(redis: Redis, redisKeyPrefix: string, logger: Logger): BlockEvents {
  const channel = blocksChangedChannel(redisKeyPrefix);
  return {
    async changed(userA, userB) {
      const event: BlocksChangedEvent = { userA, userB };
      // Chat pods also expire their cached answers on their own (short TTL) if this is lost.
      await redis.publish(channel, JSON.stringify(event)).catch((error: unknown) => {
        logger.warn({ err: error }, 'cannot publish a blocks-changed event');
      });
    },
  };
}
