import { z } from 'zod';
import { messageSchema, publicProfileSchema, roomSummarySchema, type Message, type PublicProfile, type RoomSummary } from '@parley/contracts';
import { readStored, storageKeys, writeStored } from '../storage/browser-storage';
import { sortRoomsByActivity } from '../room-model/room-summaries';
import { repliesFoldedUpTo } from '../messages/reply-threads';
import type { ChatState } from './chat-state';

const snapshotSchema = z.object({
  savedAt: z.string(),
  rooms: z.array(roomSummarySchema),
  profiles: z.array(publicProfileSchema),
  messages: z.array(messageSchema),
});
export type ChatSnapshot = z.infer<typeof snapshotSchema>;

/** What is kept: the most recent rooms, and the newest messages of each room that was opened. */
const MAX_ROOMS = 50;
const MESSAGES_PER_ROOM = 50;

/**
 * The chat as last seen, saved in localStorage so the app opens offline and shows what it has
 * (with the service worker's cached shell; docs/decisions/0009-web-offline-shell.md). Acknowledged
 * messages only: unsent ones are in the outbox. Forgotten at sign-out.
 */
export function saveChatSnapshot(state: ChatState): void {
  if (!state.roomsLoaded) return;
  const rooms: RoomSummary[] = sortRoomsByActivity(Object.values(state.rooms)).slice(0, MAX_ROOMS);
  const messages: Message[] = [];
  for (const room of rooms) {
    const items = state.messages[room.id]?.items ?? [];
    for (const item of items.filter((entry) => entry.id !== null && entry.seq !== null).slice(-MESSAGES_PER_ROOM)) {
      const message: Message = { id: item.id!, seq: item.seq!, roomId: item.roomId, senderId: item.senderId, clientMsgId: item.clientMsgId, body: item.body, createdAt: item.createdAt };
      // With its edits, deletion and reactions folded in, up to the highest event folded.
      if (item.editedAt) message.editedAt = item.editedAt;
      if (item.deletedAt) message.deletedAt = item.deletedAt;
      if (item.reactions) message.reactions = item.reactions;
      const folded = Math.max(item.foldedSeq ?? 0, item.stateSeq ?? 0);
      if (folded > 0) message.stateSeq = folded;
      if (item.replyTo) {
        message.replyTo = item.replyTo;
        if (item.replyQuote) message.replyQuote = item.replyQuote;
      }
      if (item.mentions) message.mentions = item.mentions;
      // The replies counted up to the saved stateSeq; those above it are saved as messages and counted again.
      const replies = repliesFoldedUpTo(item, items, folded);
      if (replies.count > 0) {
        message.replyCount = replies.count;
        if (replies.lastReplyAt) message.lastReplyAt = replies.lastReplyAt;
      }
      messages.push(message);
    }
  }
  const wanted = new Set([...rooms.flatMap((room) => room.memberIds ?? []), ...messages.map((message) => message.senderId)]);
  const profiles: PublicProfile[] = Object.values(state.profiles).filter((profile) => wanted.has(profile.id));
  const snapshot: ChatSnapshot = { savedAt: new Date().toISOString(), rooms, profiles, messages };
  writeStored(storageKeys.snapshot(state.selfId), snapshot);
}

export function loadChatSnapshot(userId: string): ChatSnapshot | undefined {
  return readStored(storageKeys.snapshot(userId), snapshotSchema);
}
