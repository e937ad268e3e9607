import type { Ack, Message, RoomSyncResult } from '@parley/contracts';
import { ROOM_SYNC_MAX_ROOMS } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import type { ChatSocket } from '../connection/socket-client';
import { lastConfirmedId } from '../messages/message-merge';
import type { ChatState } from './chat-state';

const SYNC_TIMEOUT_MS = 10_000;
const MAX_CATCH_UP_PAGES = 20;

export interface MissedMessagesDeps {
  api: Pick<ApiClient, 'history'>;
  socket: ChatSocket;
  getState: () => ChatState;
  /** Merges messages by id (duplicates of what is shown are dropped there). */
  received(messages: Message[]): void;
}

/**
 * After a (re)connection: asks `room:sync` for what each loaded room missed after its newest
 * acknowledged message; where more was missed than one sync carries, pages forward over REST.
 * Rooms never opened are skipped (their history loads fresh when opened).
 */
export async function fetchMissedMessages(deps: MissedMessagesDeps): Promise<void> {
  const rooms = Object.entries(deps.getState().messages)
    .filter(([, history]) => history.loaded)
    .slice(0, ROOM_SYNC_MAX_ROOMS)
    .map(([roomId, history]) => ({ roomId, afterId: lastConfirmedId(history.items) }));
  if (rooms.length === 0) return;
  let result: Ack<RoomSyncResult>;
  try {
    result = await deps.socket.timeout(SYNC_TIMEOUT_MS).emitWithAck('room:sync', { rooms });
  } catch {
    return; // no answer: the next reconnection syncs again
  }
  if (!result.ok) return;
  deps.received(result.rooms.flatMap((room) => room.messages));
  await Promise.all(result.rooms.filter((room) => room.hasMore).map((room) => catchUp(deps, room.roomId)));
}

async function catchUp(deps: MissedMessagesDeps, roomId: string): Promise<void> {
  for (let page = 0; page < MAX_CATCH_UP_PAGES; page += 1) {
    const after = lastConfirmedId(deps.getState().messages[roomId]?.items ?? []);
    if (!after) return;
    try {
      const result = await deps.api.history(roomId, { after, limit: 100 });
      deps.received(result.messages);
      if (!result.hasMore) return;
    } catch {
      return;
    }
  }
}
