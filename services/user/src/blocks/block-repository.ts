import type { EntityManager } from 'typeorm';
import { BlockEntity } from './block.entity.js';

export class BlockRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Everyone the user blocks or is blocked by. */
  async blockedEitherWayIds(userId: string): Promise<string[]> {
    const rows = (await this.manager.query(
      `SELECT blocked_id AS id FROM users.blocks WHERE blocker_id = $1
       UNION SELECT blocker_id AS id FROM users.blocks WHERE blocked_id = $1`,
      [userId],
    )) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }

  /** Idempotent: blocking twice keeps the first block (and its date). */
  async block(blockerId: string, blockedId: string): Promise<void> {
    await this.manager.query(
      `INSERT INTO users.blocks (blocker_id, blocked_id) VALUES ($1, $2)
       ON CONFLICT (blocker_id, blocked_id) DO NOTHING`,
      [blockerId, blockedId],
    );
  }

  async unblock(blockerId: string, blockedId: string): Promise<void> {
    await this.manager.getRepository(BlockEntity).delete({ blockerId, blockedId });
  }

  /** Whom `blockerId` blocks, most recent first. */
  blockedBy(blockerId: string): Promise<BlockEntity[]> {
    return this.manager.getRepository(BlockEntity).find({ where: { blockerId }, order: { createdAt: 'DESC' } });
  }
}
