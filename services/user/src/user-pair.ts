import type { EntityManager } from 'typeorm';

/** Ids compare case-insensitively (PostgreSQL's uuid type does). */
export function sameUser(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The two ids in PostgreSQL's uuid order (byte order, i.e. lower-case hex string order). */
export function orderedPair(a: string, b: string): [low: string, high: string] {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? [x, y] : [y, x];
}

/**
 * Serialises every change to the relation between two users (friend requests, friendship,
 * blocks) for the rest of the transaction, whichever of the two acts. Without it, two users
 * sending each other a request at the same moment would both create a pending one, or a
 * block could race an accept and leave friends who block each other.
 */
export async function lockUserPair(manager: EntityManager, a: string, b: string): Promise<void> {
  const [low, high] = orderedPair(a, b);
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`parley-user-pair:${low}:${high}`]);
}
