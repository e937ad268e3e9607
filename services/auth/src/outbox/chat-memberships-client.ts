import { deleteInternal } from './profile-provisioning-client.js';

export interface ChatMembershipsClient {
  /** Resolves once chat-socket has removed every room membership of the user; throws otherwise. */
  removeMemberships(userId: string): Promise<void>;
}

export interface ChatMembershipsSettings {
  chatServiceUrl: string;
  internalToken?: string;
  timeoutMs?: number;
}

/** `DELETE /internal/v1/users/:id/memberships` on chat-socket (idempotent there). */
export function createChatMembershipsClient(settings: ChatMembershipsSettings): ChatMembershipsClient {
  const base = settings.chatServiceUrl.endsWith('/') ? settings.chatServiceUrl : `${settings.chatServiceUrl}/`;
  return {
    removeMemberships: (userId) => deleteInternal(new URL(`internal/v1/users/${encodeURIComponent(userId)}/memberships`, base), settings, 'chat-socket'),
  };
}
