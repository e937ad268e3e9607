import { messageKeyLayoutKey } from '@parley/keyspace';
import type { Logger } from '@parley/logger';
import { messageKeyPlacement, type MessageKeyLayout } from '@parley/queues';
import type { Redis } from '@parley/redis';

export type MessageKeyLayoutReport =
  /** `producers`: the layout chat-socket's pods run with (`shard:4`), undefined until one has started. */
  | { readable: true; producers: string | undefined; matches: boolean }
  | { readable: false; reason: string };

/**
 * Compares this process's message-key layout (MESSAGE_SHARD_KEYS, MESSAGE_QUEUE_SHARDS) with the
 * one chat-socket's pods run with (messageKeyLayoutKey, written at their start). When they place
 * the shards' keys differently (another MESSAGE_SHARD_KEYS, or with `shard` another count) the
 * worker looks for shards 1… under prefixes no producer writes to, and their messages wait
 * unstored (docs/decisions/0043-hash-tag-per-message-shard.md). With `install` a different count
 * is a rollout in progress (0041) and needs nothing. It only logs: the worker still stores shard
 * 0 and runs notifications and mail, and the backlog alerts take over from there.
 */
export async function checkMessageKeyLayout(redis: Redis, installPrefix: string, layout: MessageKeyLayout, logger: Logger): Promise<MessageKeyLayoutReport> {
  let stored: string | null;
  try {
    stored = await redis.get(messageKeyLayoutKey(installPrefix));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn({ reason }, 'cannot read the message-key layout of chat-socket; make sure MESSAGE_SHARD_KEYS and MESSAGE_QUEUE_SHARDS match its');
    return { readable: false, reason };
  }
  if (stored === null) return { readable: true, producers: undefined, matches: true };
  const matches = messageKeyPlacement(stored) === messageKeyPlacement(layout.describe());
  if (!matches) {
    logger.error(
      { producers: stored, worker: layout.describe() },
      `chat-socket runs the message path with MESSAGE_SHARD_KEYS:MESSAGE_QUEUE_SHARDS ${stored}, this worker with ${layout.describe()}: messages of the shards it looks for in the wrong place are not stored until both agree`,
    );
  }
  return { readable: true, producers: stored, matches };
}
