import { messageKeyLayoutKey } from '@parley/keyspace';
import { messageKeyPlacement, type MessageKeyLayout } from '@parley/queues';
import type { Redis } from '@parley/redis';

/** Thrown at start when this pod's message-key layout would split rooms' counters from the running install's. */
export class MessageKeyLayoutConflict extends Error {
  constructor(
    readonly recorded: string,
    readonly wanted: string,
  ) {
    super(
      `the install's message keys are laid out as ${recorded}, this pod is configured for ${wanted} (MESSAGE_SHARD_KEYS:MESSAGE_QUEUE_SHARDS): ` +
        'with MESSAGE_SHARD_KEYS=shard a room\'s sequence counter lives under its shard, so two layouts at once would number its messages twice. ' +
        'Stop every chat-socket pod, let the persistence worker empty the backlog, then run `npm run messages:reset-key-layout` and start again (docs/runbooks/message-shard-keys.md)',
    );
    this.name = 'MessageKeyLayoutConflict';
  }
}

/**
 * Records this pod's layout in messageKeyLayoutKey, or refuses to start when the install runs a
 * layout that places rooms' keys elsewhere (docs/decisions/0043-hash-tag-per-message-shard.md).
 * Layouts that agree on placement replace each other freely (`install:2` → `install:4` is the
 * online reshard of 0041).
 */
export async function claimMessageKeyLayout(redis: Redis, installPrefix: string, layout: Pick<MessageKeyLayout, 'describe'>): Promise<void> {
  const key = messageKeyLayoutKey(installPrefix);
  const wanted = layout.describe();
  // SET NX, then GET (not one `SET NX GET`, which Redis < 7.0 refuses): the value read is what
  // the first pod recorded, this one or another.
  await redis.set(key, wanted, 'NX');
  const recorded = (await redis.get(key)) ?? wanted;
  if (messageKeyPlacement(recorded) !== messageKeyPlacement(wanted)) throw new MessageKeyLayoutConflict(recorded, wanted);
  if (recorded !== wanted) await redis.set(key, wanted);
}
