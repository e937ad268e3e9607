import type { BlockList } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import { NotFoundError, ValidationError } from '@parley/errors';
import { ProfileRepository } from '../profiles/profile-repository.js';
import { profileIn, toPublicProfile } from '../profiles/profile-views.js';
import { RelationshipRepository } from '../relationships/relationship-repository.js';
import { lockUserPair, sameUser } from '../user-pair.js';
import { BlockRepository } from './block-repository.js';

export class BlockService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Blocks `targetId` (idempotent). In the same transaction the two stop being friends and
   * every pending request between them is cancelled; new requests are refused both ways and
   * each disappears from the other's search while the block lasts.
   */
  async block(callerId: string, targetId: string): Promise<void> {
    if (sameUser(callerId, targetId)) throw new ValidationError('You cannot block yourself');
    await this.dataSource.transaction(async (manager) => {
      if (!(await new ProfileRepository(manager).exists(targetId))) throw new NotFoundError('No user with this id');
      await lockUserPair(manager, callerId, targetId);
      await new BlockRepository(manager).block(callerId, targetId);
      const relationship = new RelationshipRepository(manager);
      await relationship.removeFriendship(callerId, targetId);
      await relationship.cancelPendingRequestsBetween(callerId, targetId);
    });
  }

  /** Idempotent; lifting a block does not bring back the friendship or requests it ended. */
  async unblock(callerId: string, targetId: string): Promise<void> {
    if (sameUser(callerId, targetId)) throw new ValidationError('You cannot block yourself');
    await this.dataSource.transaction(async (manager) => {
      await lockUserPair(manager, callerId, targetId);
      await new BlockRepository(manager).unblock(callerId, targetId);
    });
  }

  async list(callerId: string): Promise<BlockList> {
    const blocks = await new BlockRepository(this.dataSource.manager).blockedBy(callerId);
    const profiles = await new ProfileRepository(this.dataSource.manager).findByIds(blocks.map((block) => block.blockedId));
    return {
      blocks: blocks.map((block) => ({
        user: toPublicProfile(profileIn(profiles, block.blockedId)),
        since: block.createdAt.toISOString(),
      })),
    };
  }

  /** For other services (chat hides presence between them): everyone the user blocks or is blocked by. */
  blockedEitherWayIds(userId: string): Promise<string[]> {
    return new BlockRepository(this.dataSource.manager).blockedEitherWayIds(userId);
  }

  /** For other services (chat): does either user block the other? */
  isBlockedEitherWay(a: string, b: string): Promise<boolean> {
    if (sameUser(a, b)) return Promise.resolve(false);
    return new RelationshipRepository(this.dataSource.manager).isBlockedEitherWay(a, b);
  }
}
