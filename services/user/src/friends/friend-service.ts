import type { Friend, FriendRequest } from '@parley/contracts';
import type { DataSource } from '@parley/db';
import { isUniqueViolation } from '@parley/db';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@parley/errors';
import type { EntityManager } from 'typeorm';
import { ProfileRepository } from '../profiles/profile-repository.js';
import { RelationshipRepository } from '../relationships/relationship-repository.js';
import { lockUserPair, sameUser } from '../user-pair.js';
import type { FriendRequestEntity } from './friend-request.entity.js';
import { FriendRepository } from './friend-repository.js';
import { toFriend, toFriendRequest } from './friend-views.js';

export interface SentFriendRequest {
  /** `true` when the other user had already asked: their request got accepted instead. */
  acceptedExisting: boolean;
  request: FriendRequest;
}

export class FriendService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Asks `targetId` to be friends. If they already asked the caller, that request is accepted
   * (the only sensible outcome of two people asking each other).
   */
  async sendRequest(callerId: string, targetId: string): Promise<SentFriendRequest> {
    if (sameUser(callerId, targetId)) throw new ValidationError('You cannot send a friend request to yourself');
    const outcome = await this.dataSource
      .transaction(async (manager) => {
        const friends = new FriendRepository(manager);
        if (!(await new ProfileRepository(manager).exists(targetId))) throw new NotFoundError('No user with this id');
        await lockUserPair(manager, callerId, targetId);
        if (await new RelationshipRepository(manager).isBlockedEitherWay(callerId, targetId)) {
          throw new ForbiddenError('You cannot send a friend request to this user');
        }
        if (await friends.areFriends(callerId, targetId)) throw new ConflictError('You are already friends');
        if (await friends.findPendingRequest(callerId, targetId)) {
          throw new ConflictError('You already sent this user a friend request');
        }
        const theirs = await friends.findPendingRequest(targetId, callerId);
        if (theirs) return { acceptedExisting: true, request: await acceptWithin(friends, theirs) };
        return { acceptedExisting: false, request: await friends.createRequest(callerId, targetId) };
      })
      .catch((error: unknown) => {
        // Only reachable without the pair lock's protection, e.g. a request created by hand.
        if (isUniqueViolation(error, 'friend_requests_pending_pair_key')) {
          throw new ConflictError('You already sent this user a friend request');
        }
        throw error;
      });
    return { acceptedExisting: outcome.acceptedExisting, request: await this.render(outcome.request) };
  }

  async listRequests(userId: string, direction: 'incoming' | 'outgoing'): Promise<{ requests: FriendRequest[] }> {
    const requests = await new FriendRepository(this.dataSource.manager).pendingRequests(userId, direction);
    const profiles = await new ProfileRepository(this.dataSource.manager).findByIds(
      requests.flatMap((request) => [request.fromUserId, request.toUserId]),
    );
    return { requests: requests.map((request) => toFriendRequest(request, profiles)) };
  }

  accept(callerId: string, requestId: string): Promise<FriendRequest> {
    return this.respond(callerId, requestId, (friends, request) => acceptWithin(friends, request));
  }

  reject(callerId: string, requestId: string): Promise<FriendRequest> {
    return this.respond(callerId, requestId, (friends, request) => friends.respond(request, 'rejected'));
  }

  async listFriends(userId: string): Promise<{ friends: Friend[] }> {
    const links = await new FriendRepository(this.dataSource.manager).friendsOf(userId);
    const profiles = await new ProfileRepository(this.dataSource.manager).findByIds(links.map((link) => link.friendId));
    const friends = links.map((link) => toFriend(link, profiles));
    friends.sort((a, b) => a.user.username.localeCompare(b.user.username));
    return { friends };
  }

  /** Ids of a user's friends (for presence fan-out), unordered. */
  async friendIdsOf(userId: string): Promise<string[]> {
    const links = await new FriendRepository(this.dataSource.manager).friendsOf(userId);
    return links.map((link) => link.friendId);
  }

  async unfriend(callerId: string, friendId: string): Promise<void> {
    const removed = await this.dataSource.transaction(async (manager) => {
      await lockUserPair(manager, callerId, friendId);
      return new RelationshipRepository(manager).removeFriendship(callerId, friendId);
    });
    if (!removed) throw new NotFoundError('You are not friends with this user');
  }

  /** Only the recipient answers a request, and only while it is pending. */
  private async respond(
    callerId: string,
    requestId: string,
    answer: (friends: FriendRepository, request: FriendRequestEntity) => Promise<FriendRequestEntity>,
  ): Promise<FriendRequest> {
    const answered = await this.dataSource.transaction(async (manager: EntityManager) => {
      const friends = new FriendRepository(manager);
      const found = await friends.findRequest(requestId);
      if (!found) throw new NotFoundError('No such friend request');
      if (!sameUser(found.toUserId, callerId)) throw new ForbiddenError('Only the recipient can answer a friend request');
      await lockUserPair(manager, found.fromUserId, found.toUserId);
      // Read again under the lock: a block or another answer may have just changed it.
      const request = await friends.findRequest(requestId);
      if (request?.status !== 'pending') throw new ConflictError('This friend request is no longer pending');
      return answer(friends, request);
    });
    return this.render(answered);
  }

  private async render(request: FriendRequestEntity): Promise<FriendRequest> {
    const profiles = await new ProfileRepository(this.dataSource.manager).findByIds([request.fromUserId, request.toUserId]);
    return toFriendRequest(request, profiles);
  }
}

async function acceptWithin(friends: FriendRepository, request: FriendRequestEntity): Promise<FriendRequestEntity> {
  await friends.addFriendship(request.fromUserId, request.toUserId);
  return friends.respond(request, 'accepted');
}
