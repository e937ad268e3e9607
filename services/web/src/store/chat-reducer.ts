import type { Message, RoomEvent } from '@parley/contracts';
import { compareMessageIds, maxMessageId } from '../messages/chat-message';
import { addPending, markFailed, mergeMessages } from '../messages/message-merge';
import { applyIncomingMessage, applyOwnReadMarker } from '../room-model/room-summaries';
import { EMPTY_ROOM_MESSAGES, TYPING_TTL_MS, type ChatAction, type ChatState, type RoomMessages } from './chat-state';

/** Notices shown at once at most; older ones give way. */
const MAX_NOTICES = 3;
let noticeSequence = 0;

/** Every state change of the chat screen; side effects live in ChatController. */
export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'rooms/loaded': {
      const rooms = Object.fromEntries(action.rooms.map((room) => [room.id, withLocalUnread(state, room.id, room)]));
      // A room opened before the server's list arrived (from the saved copy) takes its "New messages" line from the server.
      const active = state.activeRoomId;
      let unreadLine = state.unreadLine;
      if (active && !state.messages[active]?.opened) {
        const fresh = rooms[active];
        unreadLine = fresh && fresh.unreadCount > 0 ? { [active]: fresh.lastReadMessageId ?? '0' } : {};
      }
      return { ...state, roomsLoaded: true, roomsError: null, rooms, unreadLine };
    }
    case 'rooms/failed':
      return { ...state, roomsError: action.error };
    case 'room/upserted':
      return { ...state, rooms: { ...state.rooms, [action.room.id]: action.room } };
    case 'room/removed': {
      const { [action.roomId]: _gone, ...rooms } = state.rooms;
      return { ...state, rooms, activeRoomId: state.activeRoomId === action.roomId ? null : state.activeRoomId };
    }
    case 'room/opened':
      return openRoom(state, action.roomId);
    case 'room/updated': {
      const room = state.rooms[action.update.id];
      if (!room) return state;
      const { name, topic, avatarUrl } = action.update;
      return { ...state, rooms: { ...state.rooms, [room.id]: { ...room, name, topic, avatarUrl } } };
    }
    case 'room/preferences': {
      const room = state.rooms[action.roomId];
      return room ? { ...state, rooms: { ...state.rooms, [room.id]: { ...room, muted: action.muted } } } : state;
    }
    case 'history/loading':
      return updateRoomMessages(state, action.roomId, (room) => ({ ...room, loadingOlder: true, error: undefined }));
    case 'history/loaded':
      return updateRoomMessages(state, action.roomId, (room) => ({
        items: mergeMessages(room.items, action.messages),
        // The latest page says whether older pages exist only the first time; later, each older page does.
        hasMore: action.older || !room.loaded ? action.hasMore : room.hasMore,
        loadingOlder: false,
        loaded: true,
        ...(room.opened ? { opened: true } : {}),
      }));
    case 'history/opened':
      return updateRoomMessages(state, action.roomId, (room) => (room.opened ? room : { ...room, opened: true }));
    case 'history/failed':
      return updateRoomMessages(state, action.roomId, (room) => ({ ...room, loadingOlder: false, error: action.error }));
    case 'message/pending':
      return updateRoomMessages(state, action.message.roomId, (room) => ({ ...room, items: addPending(room.items, action.message) }));
    case 'message/received':
      return receiveMessages(state, action.messages);
    case 'message/failed':
      return updateRoomMessages(state, action.roomId, (room) => ({ ...room, items: markFailed(room.items, action.key, action.error) }));
    case 'read/own': {
      const room = state.rooms[action.roomId];
      if (!room) return state;
      const next = withLocalUnread(state, room.id, applyOwnReadMarker(room, action.messageId));
      return next === room ? state : { ...state, rooms: { ...state.rooms, [room.id]: next } };
    }
    case 'read/receipt': {
      if (action.userId === state.selfId) return chatReducer(state, { type: 'read/own', roomId: action.roomId, messageId: action.messageId });
      const marker = maxMessageId(state.readByOthers[action.roomId], action.messageId);
      if (!marker || marker === state.readByOthers[action.roomId]) return state;
      return { ...state, readByOthers: { ...state.readByOthers, [action.roomId]: marker } };
    }
    case 'typing': {
      if (action.userId === state.selfId) return state;
      const { [action.userId]: _previous, ...others } = state.typing[action.roomId] ?? {};
      const users = action.isTyping ? { ...others, [action.userId]: action.now + TYPING_TTL_MS } : others;
      return { ...state, typing: { ...state.typing, [action.roomId]: users } };
    }
    case 'typing/expired':
      return expireTyping(state, action.now);
    case 'presence': {
      // While we are offline ourselves we know nothing of anyone's presence.
      if (state.connection === 'offline') return state;
      const presence = { ...state.presence };
      for (const entry of action.entries) presence[entry.userId] = entry.status;
      return { ...state, presence };
    }
    case 'profiles/loaded': {
      const profiles = { ...state.profiles };
      for (const profile of action.profiles) profiles[profile.id] = profile;
      return { ...state, profiles };
    }
    case 'members/loaded': {
      // Presence seen through the member list only while we are not offline ourselves.
      const known = state.connection !== 'offline';
      const presence = known ? { ...state.presence } : state.presence;
      // The double tick survives a reload: the list carries every member's read marker.
      let readByOthers = state.readByOthers[action.roomId] ?? null;
      for (const member of action.members) {
        if (known) presence[member.userId] = member.online ? 'online' : 'offline';
        if (member.userId !== state.selfId) readByOthers = maxMessageId(readByOthers, member.lastReadMessageId);
      }
      return {
        ...state,
        presence,
        members: { ...state.members, [action.roomId]: action.members },
        readByOthers: readByOthers ? { ...state.readByOthers, [action.roomId]: readByOthers } : state.readByOthers,
      };
    }
    case 'member/joined':
    case 'member/left':
      return changeMembership(state, action.roomId, action.userId, action.type === 'member/joined');
    case 'member/role': {
      const members = state.members[action.roomId];
      if (!members) return state;
      const next = members.map((member) => (member.userId === action.userId ? { ...member, role: action.role } : member));
      return { ...state, members: { ...state.members, [action.roomId]: next } };
    }
    case 'events/loaded':
      return { ...state, roomEvents: { ...state.roomEvents, [action.roomId]: mergeEvents(state.roomEvents[action.roomId] ?? [], action.events) } };
    case 'event/received': {
      const roomId = action.event.roomId;
      return { ...state, roomEvents: { ...state.roomEvents, [roomId]: mergeEvents(state.roomEvents[roomId] ?? [], [action.event]) } };
    }
    case 'connection':
      if (state.connection === action.status) return state;
      // What we knew of others' presence is stale the moment we are cut off ourselves.
      return { ...state, connection: action.status, presence: action.status === 'offline' ? {} : state.presence };
    case 'friend-requests/count':
      return { ...state, pendingFriendRequests: action.count };
    case 'notice/shown':
      return { ...state, notices: [...state.notices, { id: (noticeSequence += 1), text: action.text }].slice(-MAX_NOTICES) };
    case 'notice/dismissed':
      return { ...state, notices: state.notices.filter((notice) => notice.id !== action.id) };
    case 'snapshot/restored': {
      if (state.roomsLoaded) return state;
      const profiles = { ...state.profiles };
      for (const profile of action.profiles) profiles[profile.id] = profile;
      let next: ChatState = { ...state, roomsLoaded: true, rooms: Object.fromEntries(action.rooms.map((room) => [room.id, room])), profiles };
      const byRoom = new Map<string, Message[]>();
      for (const message of action.messages) byRoom.set(message.roomId, [...(byRoom.get(message.roomId) ?? []), message]);
      for (const [roomId, messages] of byRoom) {
        next = updateRoomMessages(next, roomId, (room) => ({ ...room, items: mergeMessages(room.items, messages), hasMore: true, loaded: false }));
      }
      return next;
    }
  }
}

function updateRoomMessages(state: ChatState, roomId: string, update: (room: RoomMessages) => RoomMessages): ChatState {
  const room = state.messages[roomId] ?? EMPTY_ROOM_MESSAGES;
  const next = update(room);
  return next === room ? state : { ...state, messages: { ...state.messages, [roomId]: next } };
}

/** Opening a room fixes where its "New messages" line goes: after the marker it has now, if anything is unread. */
function openRoom(state: ChatState, roomId: string | null): ChatState {
  if (roomId === state.activeRoomId) return state;
  const room = roomId ? state.rooms[roomId] : undefined;
  const unreadLine: Record<string, string> = {};
  if (roomId && room && room.unreadCount > 0) unreadLine[roomId] = room.lastReadMessageId ?? '0';
  return { ...state, activeRoomId: roomId, unreadLine };
}

/**
 * The unread count from the loaded history when it reaches back to the read marker: messages
 * from others after it (the server's count covers only what it has persisted, and is stale as
 * soon as you read a few messages of many).
 */
function withLocalUnread<T extends { unreadCount: number; lastReadMessageId: string | null; lastMessage: Message | null }>(
  state: ChatState,
  roomId: string,
  room: T,
): T {
  const history = state.messages[roomId];
  if (!history?.loaded || room.unreadCount === 0) return room;
  const marker = room.lastReadMessageId ?? '0';
  const first = history.items.find((item) => item.id !== null);
  const covers = first?.id && (!history.hasMore || compareMessageIds(first.id, marker) <= 0);
  if (!covers) return room;
  const unread = history.items.filter((item) => item.id !== null && item.senderId !== state.selfId && compareMessageIds(item.id, marker) > 0).length;
  return unread === room.unreadCount ? room : { ...room, unreadCount: unread };
}

/** New messages (live, acked or synced): into the open history and into each room's summary. */
function receiveMessages(state: ChatState, messages: Message[]): ChatState {
  if (messages.length === 0) return state;
  const byRoom = new Map<string, Message[]>();
  for (const message of messages) byRoom.set(message.roomId, [...(byRoom.get(message.roomId) ?? []), message]);

  let rooms = state.rooms;
  let roomMessages = state.messages;
  let typing = state.typing;
  for (const [roomId, incoming] of byRoom) {
    const history = roomMessages[roomId];
    if (history) roomMessages = { ...roomMessages, [roomId]: { ...history, items: mergeMessages(history.items, incoming) } };
    const summary = rooms[roomId];
    if (summary) {
      // Unread until it has been seen on screen (the message list reports what was).
      let next = summary;
      for (const message of incoming) next = applyIncomingMessage(next, message, state.selfId);
      if (next !== summary) rooms = { ...rooms, [roomId]: { ...next, memberIds: summary.memberIds } };
    }
    // Someone who sent a message has stopped typing it.
    const typers = typing[roomId];
    if (typers && incoming.some((message) => message.senderId in typers)) {
      const remaining = Object.fromEntries(Object.entries(typers).filter(([userId]) => !incoming.some((message) => message.senderId === userId)));
      typing = { ...typing, [roomId]: remaining };
    }
  }
  return { ...state, rooms, messages: roomMessages, typing };
}

function mergeEvents(current: readonly RoomEvent[], incoming: readonly RoomEvent[]): RoomEvent[] {
  const byId = new Map(current.map((event) => [event.id, event]));
  for (const event of incoming) byId.set(event.id, event);
  return [...byId.values()].sort((a, b) => compareMessageIds(a.id, b.id));
}

function expireTyping(state: ChatState, now: number): ChatState {
  let changed = false;
  const typing: ChatState['typing'] = {};
  for (const [roomId, users] of Object.entries(state.typing)) {
    const alive = Object.entries(users).filter(([, expiresAt]) => expiresAt > now);
    if (alive.length !== Object.keys(users).length) changed = true;
    typing[roomId] = Object.fromEntries(alive);
  }
  return changed ? { ...state, typing } : state;
}

function changeMembership(state: ChatState, roomId: string, userId: string, joined: boolean): ChatState {
  if (!joined && userId === state.selfId) return chatReducer(state, { type: 'room/removed', roomId });
  const room = state.rooms[roomId];
  const members = state.members[roomId];
  const nextMembers = members && !joined ? members.filter((member) => member.userId !== userId) : members;
  const nextRoom = room ? { ...room, memberCount: Math.max(0, room.memberCount + (joined ? 1 : -1)) } : room;
  return {
    ...state,
    rooms: nextRoom ? { ...state.rooms, [roomId]: nextRoom } : state.rooms,
    members: nextMembers ? { ...state.members, [roomId]: nextMembers } : state.members,
  };
}
