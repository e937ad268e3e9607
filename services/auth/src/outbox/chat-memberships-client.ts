import { ACCOUNT_DELETION_ENDPOINTS } from '@parley/contracts';
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
    removeMemberships: (userId) => deleteInternal(new URL(ACCOUNT_DELETION_ENDPOINTS.memberships(userId), base), settings, 'chat-socket'),
  };
}
