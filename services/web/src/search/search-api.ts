import { messageSearchResponseSchema, messagesAroundResponseSchema, type MessageSearchResponse, type MessagesAroundResponse } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';

type Requester = Pick<ApiClient, 'request'>;

/** One page of message search, across the user's rooms or in `roomId`. */
export function searchMessages(api: Requester, query: { q: string; roomId?: string; cursor?: string }): Promise<MessageSearchResponse> {
  const params = new URLSearchParams({ q: query.q, limit: '20' });
  if (query.roomId) params.set('roomId', query.roomId);
  if (query.cursor) params.set('cursor', query.cursor);
  return api.request(`/api/v1/search/messages?${params}`, { schema: messageSearchResponseSchema });
}

/** A room's history around one message (a search hit, in context). */
export function messagesAround(api: Requester, roomId: string, messageId: string): Promise<MessagesAroundResponse> {
  return api.request(`/api/v1/rooms/${roomId}/messages/around/${messageId}?limit=25`, { schema: messagesAroundResponseSchema });
}
