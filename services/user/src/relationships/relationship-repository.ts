import type { EntityManager } from 'typeorm';
import { orderedPair } from '../user-pair.js';

/**
 * What two users are to each other, read and changed across the friends and blocks modules:
 * a friend request checks blocks, and a block ends the friendship and withdraws pending
 * requests. Used inside the transaction that holds the pair's lock (user-pair.ts), so each
 * module sees the other's rows as they stand under that lock.
 */
export class RelationshipRepository {
  constructor(private readonly manager: EntityManager) {}

  /** True when either user blocks the other. */
  async isBlockedEitherWay(a: string, b: string): Promise<boolean> {
    const rows = (await this.manager.query(
      `SELECT 1 FROM users.blocks
        WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)
        LIMIT 1`,
      [a, b],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Returns whether the two were friends. */
  async removeFriendship(a: string, b: string): Promise<boolean> {
    const [low, high] = orderedPair(a, b);
    // TypeORM answers a DELETE with [rows, affected row count].
    const [, deleted] = (await this.manager.query('DELETE FROM users.friendships WHERE user_low = $1 AND user_high = $2', [low, high])) as [unknown[], number];
    return deleted > 0;
  }

  /** Withdraws the pending requests between two users, both directions. */
  async cancelPendingRequestsBetween(a: string, b: string): Promise<void> {
    await this.manager.query(
      `UPDATE users.friend_requests SET status = 'cancelled', responded_at = now()
        WHERE status = 'pending'
          AND ((from_user_id = $1 AND to_user_id = $2) OR (from_user_id = $2 AND to_user_id = $1))`,
      [a, b],
    );
  }
}
