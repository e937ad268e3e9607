import type { Friend, FriendRequest } from '@parley/contracts';
import type { ProfileEntity } from '../profiles/profile.entity.js';
import { profileIn, toPublicProfile } from '../profiles/profile-views.js';
import type { FriendRequestEntity } from './friend-request.entity.js';
import type { FriendLink } from './friend-repository.js';

export function toFriendRequest(request: FriendRequestEntity, profiles: Map<string, ProfileEntity>): FriendRequest {
  return {
    id: request.id,
    fromUser: toPublicProfile(profileIn(profiles, request.fromUserId)),
    toUser: toPublicProfile(profileIn(profiles, request.toUserId)),
    status: request.status,
    createdAt: request.createdAt.toISOString(),
  };
}

export function toFriend(link: FriendLink, profiles: Map<string, ProfileEntity>): Friend {
  return { user: toPublicProfile(profileIn(profiles, link.friendId)), since: link.since.toISOString() };
}
