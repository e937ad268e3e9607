import type { Redis } from '@parley/redis';
import { highestStoredSeq } from '@parley/chat-store';
import type { DataSource } from '@parley/db';
import { roomSequenceKey } from '@parley/keyspace';
import type { MessageKeyLayout } from '@parley/queues';
import type { RecentWindow } from '../recent-window/recent-window.js';

/**
 * Each room's sequence counter (`roomSequenceKey`) is the number of the room's last accepted
 * message, incremented by the accept script (docs/decisions/0002-room-sequence-numbers.md).
 * Creates the counters of rooms that have none (a new room, or a Redis that lost its data) from
 * what is known to be taken: the highest number stored in PostgreSQL and the highest in the
 * room's recent window (accepted, maybe not stored yet). `SET NX`, so a pod that seeds late never
 * moves a counter another pod already uses.
 */
export async function seedRoomSequences(
  redis: Redis,
  messageKeys: Pick<MessageKeyLayout, 'prefixOfRoom'>,
  dataSource: DataSource,
  window: RecentWindow,
  roomIds: Iterable<string>,
): Promise<void> {
  for (const roomId of new Set(roomIds)) {
    const [stored, recent] = await Promise.all([highestStoredSeq(dataSource, roomId), window.highestSeq(roomId)]);
    await redis.set(roomSequenceKey(messageKeys.prefixOfRoom(roomId), roomId), Math.max(stored, recent), 'NX');
  }
}
