import type { NotificationEvent } from '@parley/contracts';
import { displayNameOf } from '../room-model/room-title';
import type { ControllerContext } from './controller-context';
import type { RoomActions } from './room-actions';

/** What the server pushes over the socket, applied to the store (and what each push makes worth loading). */
export function listenToServer(context: ControllerContext, rooms: RoomActions): void {
  const { socket, dispatch, getState, api, live, people } = context;
  socket.on('message:new', (message) => live.arrived([message]));
  // Edits, deletions and reactions take room sequence numbers too: the gap filler counts them.
  socket.on('message:changed', (event) => live.arrived([event]));
  socket.on('server:resync', ({ delayMs }) => live.resyncWithin(delayMs));
  socket.on('room:new', (room) => rooms.adopt(room));
  // The server is about to close the socket: this tab (and, through the session channel, every
  // other tab) returns to sign-in at once, saying why; an expired token is renewed instead.
  socket.on('session:ended', ({ reason }) => api.sessionEnded(reason));
  socket.on('room:member-joined', ({ roomId, userId }) => {
    rooms.noteMemberChange(roomId);
    dispatch({ type: 'member/joined', roomId, userId });
    if (getState().members[roomId]) void rooms.loadMembers(roomId);
    void people.ensureProfiles([userId]);
  });
  socket.on('room:member-left', ({ roomId, userId }) => {
    rooms.noteMemberChange(roomId);
    dispatch({ type: 'member/left', roomId, userId });
    if (userId !== getState().selfId) void people.refreshProfile(userId);
  });
  socket.on('room:event', (event) => {
    dispatch({ type: 'event/received', event });
    void people.ensureProfiles([event.actorId, event.userId].filter((id): id is string => id !== null));
    const { selfId, rooms: known, profiles } = getState();
    if (event.kind === 'removed' && event.userId === selfId && event.actorId !== selfId) {
      const room = known[event.roomId];
      const by = event.actorId ? profiles[event.actorId] : undefined;
      dispatch({
        type: 'notice/shown',
        text: `You were removed from ${room?.name ? `“${room.name}”` : 'a group'}${by ? ` by ${by.displayName ?? by.username}` : ''}.`,
      });
    }
  });
  socket.on('room:updated', (update) => dispatch({ type: 'room/updated', update }));
  socket.on('room:member-role', ({ roomId, userId, role }) => {
    rooms.noteMemberChange(roomId);
    dispatch({ type: 'member/role', roomId, userId, role });
  });
  socket.on('room:preferences', ({ roomId, muted }) => dispatch({ type: 'room/preferences', roomId, muted }));
  socket.on('room:read', ({ roomId, userId, messageId }) => dispatch({ type: 'read/receipt', roomId, userId, messageId }));
  socket.on('typing', ({ roomId, userId, isTyping }) => {
    dispatch({ type: 'typing', roomId, userId, isTyping, now: Date.now() });
    if (isTyping) void people.ensureProfiles([userId]);
  });
  socket.on('presence', (presence) => dispatch({ type: 'presence', entries: [presence] }));
  socket.on('notification', (notification) => {
    if (notification.kind === 'friend_request') void people.refreshFriendRequestCount();
    if (notification.kind === 'friend_accepted' && notification.fromUserId) void friendAccepted(context, notification.fromUserId);
    if (notification.kind === 'mention') void mentioned(context, notification);
  });
}

/** Someone mentioned the caller: a notice unless that room is open in a visible window. */
async function mentioned({ people, getState, dispatch }: ControllerContext, notification: NotificationEvent): Promise<void> {
  const { roomId, fromUserId } = notification;
  if (!roomId || !fromUserId) return;
  if (getState().activeRoomId === roomId && document.visibilityState === 'visible') return;
  await people.ensureProfiles([fromUserId]);
  const name = displayNameOf(getState().profiles[fromUserId], fromUserId);
  const room = getState().rooms[roomId];
  const where = room?.kind === 'group' ? ` in ${room.name ?? 'a group'}` : '';
  dispatch({ type: 'notice/shown', text: `${name} mentioned you${where}.` });
}

async function friendAccepted({ people, getState, dispatch }: ControllerContext, userId: string): Promise<void> {
  await people.ensureProfiles([userId]);
  const profile = getState().profiles[userId];
  const name = profile ? (profile.displayName ?? profile.username) : 'Someone';
  dispatch({ type: 'notice/shown', text: `${name} accepted your friend request.` });
}
