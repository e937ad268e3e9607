import type { MemberRole, Message, PublicProfile, RoomEvent, RoomMember, RoomSummary, RoomUpdatedEvent } from '@parley/contracts';
import type { ConnectionStatus } from '../connection/connection-status';
import type { ChatMessage } from '../messages/chat-message';
import type { Notice } from '../ui/notices';

export interface RoomMessages {
  items: ChatMessage[];
  /** Older history exists on the server. */
  hasMore: boolean;
  loadingOlder: boolean;
  /** The latest page arrived at least once. */
  loaded: boolean;
  /** Opening finished (the pages down to the first unread are in): the list can take its position. */
  opened?: boolean;
  error?: string | undefined;
}

export interface ChatState {
  selfId: string;
  rooms: Record<string, RoomSummary>;
  roomsLoaded: boolean;
  /** Why the room list could not be loaded (cleared by the next successful load). */
  roomsError: string | null;
  activeRoomId: string | null;
  messages: Record<string, RoomMessages>;
  members: Record<string, RoomMember[]>;
  /** Highest message id some other member has read, per room (for the double tick). */
  readByOthers: Record<string, string>;
  /** roomId → userId → when the "typing" expires (ms since epoch). */
  typing: Record<string, Record<string, number>>;
  presence: Record<string, 'online' | 'offline'>;
  profiles: Record<string, PublicProfile>;
  connection: ConnectionStatus;
  /** Incoming friend requests not looked at yet (the People button shows it). */
  pendingFriendRequests: number;
  /**
   * Per open room, the read marker it had when opened: messages from others after it are "new"
   * (the "New messages" line stays where it was while the room is open).
   */
  unreadLine: Record<string, string>;
  /** The rooms' timelines (joins, leaves, settings), oldest first, as loaded and received. */
  roomEvents: Record<string, RoomEvent[]>;
  /** Short messages for the person (a removal, an accepted friend request), oldest first. */
  notices: Notice[];
}

export type ChatAction =
  | { type: 'rooms/loaded'; rooms: RoomSummary[] }
  | { type: 'rooms/failed'; error: string }
  | { type: 'room/upserted'; room: RoomSummary }
  | { type: 'room/removed'; roomId: string }
  | { type: 'room/opened'; roomId: string | null }
  | { type: 'history/loading'; roomId: string }
  | { type: 'history/loaded'; roomId: string; messages: Message[]; hasMore: boolean; older: boolean }
  | { type: 'history/failed'; roomId: string; error: string }
  | { type: 'history/opened'; roomId: string }
  | { type: 'message/pending'; message: ChatMessage }
  | { type: 'message/received'; messages: Message[] }
  | { type: 'message/failed'; roomId: string; key: string; error: string }
  | { type: 'read/own'; roomId: string; messageId: string }
  | { type: 'read/receipt'; roomId: string; userId: string; messageId: string }
  | { type: 'typing'; roomId: string; userId: string; isTyping: boolean; now: number }
  | { type: 'typing/expired'; now: number }
  | { type: 'presence'; entries: Array<{ userId: string; status: 'online' | 'offline' }> }
  | { type: 'profiles/loaded'; profiles: PublicProfile[] }
  | { type: 'members/loaded'; roomId: string; members: RoomMember[] }
  | { type: 'member/joined'; roomId: string; userId: string }
  | { type: 'member/left'; roomId: string; userId: string }
  | { type: 'connection'; status: ConnectionStatus }
  | { type: 'friend-requests/count'; count: number }
  | { type: 'room/updated'; update: RoomUpdatedEvent }
  | { type: 'room/preferences'; roomId: string; muted: boolean }
  | { type: 'member/role'; roomId: string; userId: string; role: MemberRole }
  | { type: 'events/loaded'; roomId: string; events: RoomEvent[] }
  | { type: 'event/received'; event: RoomEvent }
  | { type: 'notice/shown'; text: string }
  | { type: 'notice/dismissed'; id: number }
  | { type: 'snapshot/restored'; rooms: RoomSummary[]; profiles: PublicProfile[]; messages: Message[] };

export const TYPING_TTL_MS = 5_000;

export function initialChatState(selfId: string): ChatState {
  return {
    selfId,
    rooms: {},
    roomsLoaded: false,
    roomsError: null,
    activeRoomId: null,
    messages: {},
    members: {},
    readByOthers: {},
    typing: {},
    presence: {},
    profiles: {},
    connection: 'connecting',
    pendingFriendRequests: 0,
    unreadLine: {},
    roomEvents: {},
    notices: [],
  };
}

export const EMPTY_ROOM_MESSAGES: RoomMessages = { items: [], hasMore: false, loadingOlder: false, loaded: false };
