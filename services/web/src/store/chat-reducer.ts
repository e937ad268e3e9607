import type { Message } from '@parley/contracts';
import { maxMessageId } from '../messages/chat-message';
import { addPending, markFailed, mergeMessages } from '../messages/message-merge';
import { applyIncomingMessage, applyOwnReadMarker } from '../rooms/room-summaries';
import { EMPTY_ROOM_MESSAGES, TYPING_TTL_MS, type ChatAction, type ChatState, type RoomMessages } from './chat-state';

/** Every state change of the chat screen; side effects live in ChatController. */
export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'rooms/loaded':
      return { ...state, roomsLoaded: true, roomsError: null, rooms: Object.fromEntries(action.rooms.map((room) => [room.id, room])) };
    case 'rooms/failed':
      return { ...state, roomsError: action.error };
    case 'room/upserted':
      return { ...state, rooms: { ...state.rooms, [action.room.id]: action.room } };
    case 'room/removed': {
      const { [action.roomId]: _gone, ...rooms } = state.rooms;
      return { ...state, rooms, activeRoomId: state.activeRoomId === action.roomId ? null : state.activeRoomId };
    }
    case 'room/opened':
      return { ...state, activeRoomId: action.roomId };
    case 'history/loading':
      return updateRoomMessages(state, action.roomId, (room) => ({ ...room, loadingOlder: true, error: undefined }));
    case 'history/loaded':
      return updateRoomMessages(state, action.roomId, (room) => ({
        items: mergeMessages(room.items, action.messages),
        // The latest page says whether older pages exist only the first time; later, each older page does.
        hasMore: action.older || !room.loaded ? action.hasMore : room.hasMore,
        loadingOlder: false,
        loaded: true,
      }));
    case 'history/failed':
      return updateRoomMessages(state, action.roomId, (room) => ({ ...room, loadingOlder: false, error: action.error }));
    case 'message/pending':
      return updateRoomMessages(state, action.message.roomId, (room) => ({ ...room, items: addPending(room.items, action.message) }));
    case 'message/received':
      return receiveMessages(state, action.messages, action.pageVisible);
    case 'message/failed':
      return updateRoomMessages(state, action.roomId, (room) => ({ ...room, items: markFailed(room.items, action.key, action.error) }));
    case 'read/own': {
      const room = state.rooms[action.roomId];
      if (!room) return state;
      const next = applyOwnReadMarker(room, action.messageId);
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
      const presence = { ...state.presence };
      // The double tick survives a reload: the list carries every member's read marker.
      let readByOthers = state.readByOthers[action.roomId] ?? null;
      for (const member of action.members) {
        presence[member.userId] = member.online ? 'online' : 'offline';
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
    case 'connection':
      return state.connection === action.status ? state : { ...state, connection: action.status };
    case 'friend-requests/count':
      return { ...state, pendingFriendRequests: action.count };
  }
}

function updateRoomMessages(state: ChatState, roomId: string, update: (room: RoomMessages) => RoomMessages): ChatState {
  const room = state.messages[roomId] ?? EMPTY_ROOM_MESSAGES;
  const next = update(room);
  return next === room ? state : { ...state, messages: { ...state.messages, [roomId]: next } };
}

/** New messages (live, acked or synced): into the open history and into each room's summary. */
function receiveMessages(state: ChatState, messages: Message[], pageVisible: boolean): ChatState {
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
      const viewing = state.activeRoomId === roomId && pageVisible;
      let next = summary;
      for (const message of incoming) next = applyIncomingMessage(next, message, { selfId: state.selfId, viewing });
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
