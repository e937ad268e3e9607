import type { PublicProfile } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import type { ChatAction, ChatState } from './chat-state';

type PeopleApi = Pick<ApiClient, 'profile' | 'presence' | 'friendRequests'>;

/**
 * Names and presence of the people the screen shows (senders, members, direct partners),
 * each profile fetched once, and the count of friend requests waiting for an answer.
 */
export class PeopleDirectory {
  private readonly requested = new Set<string>();

  constructor(
    private readonly api: PeopleApi,
    private readonly dispatch: (action: ChatAction) => void,
    private readonly getState: () => ChatState,
  ) {}

  async ensureProfiles(userIds: string[]): Promise<void> {
    // Each profile is asked for once per page load, also when a saved copy is shown meanwhile:
    // names change, and a deleted account's profile is gone.
    const missing = [...new Set(userIds)].filter((id) => id !== this.getState().selfId && !this.requested.has(id));
    if (missing.length === 0) return;
    for (const id of missing) this.requested.add(id);
    const results = await Promise.allSettled(missing.map((id) => this.api.profile(id)));
    const profiles = results.flatMap((result, index) => {
      if (result.status === 'fulfilled') return [result.value];
      // No profile behind the id: the account was deleted (its messages stay, from a "Deleted user").
      if (result.reason instanceof ApiError && result.reason.code === 'not_found') return [deletedUser(missing[index]!)];
      return [];
    });
    // A failed lookup may be asked again later.
    results.forEach((result, index) => {
      if (result.status === 'rejected' && !(result.reason instanceof ApiError && result.reason.code === 'not_found')) this.requested.delete(missing[index]!);
    });
    if (profiles.length > 0) this.dispatch({ type: 'profiles/loaded', profiles });
  }

  /** Asks for a profile again (someone left: the account may have been deleted). */
  refreshProfile(userId: string): Promise<void> {
    this.requested.delete(userId);
    return this.ensureProfiles([userId]);
  }

  async loadPresence(userIds: string[]): Promise<void> {
    const unique = [...new Set(userIds)];
    for (let start = 0; start < unique.length; start += 100) {
      try {
        const { presence } = await this.api.presence(unique.slice(start, start + 100));
        this.dispatch({ type: 'presence', entries: presence });
      } catch {
        return;
      }
    }
  }

  /** After being offline: the presence of everyone the screen shows (direct partners, members of loaded lists). */
  reloadPresence(): Promise<void> {
    const state = this.getState();
    const partners = Object.values(state.rooms).flatMap((room) => (room.kind === 'direct' ? (room.memberIds ?? []) : []));
    const members = Object.values(state.members).flatMap((list) => list.map((member) => member.userId));
    return this.loadPresence([...partners, ...members].filter((id) => id !== state.selfId));
  }

  async refreshFriendRequestCount(): Promise<void> {
    try {
      const { requests } = await this.api.friendRequests('incoming');
      this.dispatch({ type: 'friend-requests/count', count: requests.length });
    } catch {
      // The badge stays as it was.
    }
  }
}

/** Stands in for the profile of a deleted account (docs/decisions/0014-account-deletion.md). */
export function deletedUser(id: string): PublicProfile {
  return { id, username: 'deleted user', displayName: 'Deleted user', bio: null, avatarUrl: null, createdAt: new Date(0).toISOString() };
}
