import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { FriendRequestStatus } from '@parley/contracts';
import { orderedPair } from '../user-pair.js';
import { FriendRequestEntity } from './friend-request.entity.js';
import { FriendshipEntity } from './friendship.entity.js';

export interface FriendLink {
  friendId: string;
  since: Date;
}

export class FriendRepository {
  constructor(private readonly manager: EntityManager) {}

  private get requests() {
    return this.manager.getRepository(FriendRequestEntity);
  }

  findRequest(id: string): Promise<FriendRequestEntity | null> {
    return this.requests.findOneBy({ id });
  }

  findPendingRequest(fromUserId: string, toUserId: string): Promise<FriendRequestEntity | null> {
    return this.requests.findOneBy({ fromUserId, toUserId, status: 'pending' });
  }

  async createRequest(fromUserId: string, toUserId: string): Promise<FriendRequestEntity> {
    const request = this.requests.create({
      id: randomUUID(),
      // Lower case, as PostgreSQL renders uuids, so the returned entity matches stored rows.
      fromUserId: fromUserId.toLowerCase(),
      toUserId: toUserId.toLowerCase(),
      status: 'pending',
      createdAt: new Date(),
      respondedAt: null,
    });
    await this.requests.insert(request);
    return request;
  }

  async respond(request: FriendRequestEntity, status: Exclude<FriendRequestStatus, 'pending'>): Promise<FriendRequestEntity> {
    const respondedAt = new Date();
    await this.requests.update({ id: request.id }, { status, respondedAt });
    return { ...request, status, respondedAt };
  }

  /** Pending requests sent to (incoming) or by (outgoing) a user, newest first. */
  pendingRequests(userId: string, direction: 'incoming' | 'outgoing'): Promise<FriendRequestEntity[]> {
    const where = direction === 'incoming' ? { toUserId: userId } : { fromUserId: userId };
    return this.requests.find({ where: { ...where, status: 'pending' }, order: { createdAt: 'DESC' } });
  }

  async areFriends(a: string, b: string): Promise<boolean> {
    const [userLow, userHigh] = orderedPair(a, b);
    return this.manager.getRepository(FriendshipEntity).existsBy({ userLow, userHigh });
  }

  async addFriendship(a: string, b: string): Promise<void> {
    const [low, high] = orderedPair(a, b);
    await this.manager.query(
      `INSERT INTO users.friendships (user_low, user_high) VALUES ($1, $2)
       ON CONFLICT (user_low, user_high) DO NOTHING`,
      [low, high],
    );
  }

  /** Both sides of the stored pair are indexed (primary key on user_low, index on user_high). */
  async friendsOf(userId: string): Promise<FriendLink[]> {
    const rows = (await this.manager.query(
      `SELECT user_high AS friend_id, created_at FROM users.friendships WHERE user_low = $1
       UNION ALL
       SELECT user_low AS friend_id, created_at FROM users.friendships WHERE user_high = $1`,
      [userId],
    )) as { friend_id: string; created_at: Date }[];
    return rows.map((row) => ({ friendId: row.friend_id, since: row.created_at }));
  }
}
