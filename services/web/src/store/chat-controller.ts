import { RoomGapFiller, type CreateRoomRequest, type Message, type RoomSummary } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import { ApiError, apiErrorFromAck } from '../api/api-error';
import { describeError, describeSendFailure } from '../api/error-messages';
import { ChatConnection } from '../connection/chat-connection';
import type { ChatSocket } from '../connection/socket-client';
import { compareMessageIds, messageKey, type ChatMessage } from '../messages/chat-message';
import { firstConfirmedSeq, lastConfirmedId } from '../messages/message-merge';
import { directPartnerId } from '../rooms/room-title';
import type { ChatAction, ChatState } from './chat-state';
import { PeopleDirectory } from './people-directory';
import { TypingSignal } from './typing-signal';

export interface ChatControllerDeps {
  api: ApiClient;
  socket: ChatSocket;
  dispatch: (action: ChatAction) => void;
  getState: () => ChatState;
  newClientMsgId?: () => string;
  isPageVisible?: () => boolean;
}

const ACK_TIMEOUT_MS = 10_000;
const SYNC_TIMEOUT_MS = 10_000;
const PAGE_SIZE = 50;

/**
 * Everything the chat screen does that is not a pure state change: REST calls, socket events
 * and acks, read markers, typing signals, and keeping every loaded room complete: each message
 * it sees goes through a RoomGapFiller, which asks `room:sync` by sequence for any gap, after
 * every reconnection and when the server says `server:resync`. Components call its methods; it
 * reports through `dispatch`.
 */
export class ChatController {
  private readonly connection: ChatConnection;
  private readonly people: PeopleDirectory;
  private readonly typingSignal: TypingSignal;
  private readonly gaps: RoomGapFiller;
  private resyncTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly readTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The newest read marker sent to the server per room. */
  private readonly sentReadMarkers = new Map<string, string>();
  private typingSweep: ReturnType<typeof setInterval> | undefined;
  private stopTokenHandover: (() => void) | undefined;
  private connectedBefore = false;
  private readonly onVisibilityChange = () => {
    const active = this.deps.getState().activeRoomId;
    if (active && this.isPageVisible()) this.markReadSoon(active);
  };
  private readonly newClientMsgId: () => string;
  private readonly isPageVisible: () => boolean;

  constructor(private readonly deps: ChatControllerDeps) {
    this.newClientMsgId = deps.newClientMsgId ?? (() => crypto.randomUUID());
    this.isPageVisible = deps.isPageVisible ?? (() => typeof document === 'undefined' || document.visibilityState !== 'hidden');
    this.people = new PeopleDirectory(deps.api, deps.dispatch, deps.getState);
    this.typingSignal = new TypingSignal(deps.socket);
    this.gaps = new RoomGapFiller({
      sync: async (rooms) => {
        const result = await deps.socket.timeout(SYNC_TIMEOUT_MS).emitWithAck('room:sync', { rooms });
        return result.ok ? result.rooms : undefined;
      },
      received: (messages) => this.received(messages),
    });
    this.connection = new ChatConnection(deps.socket, {
      status: (status) => deps.dispatch({ type: 'connection', status }),
      connected: () => void this.onConnected(),
      renewToken: async () => (await deps.api.refresh().catch(() => null)) !== null,
    });
  }

  start(): void {
    this.listen();
    this.connection.start();
    this.stopTokenHandover = this.deps.api.onAccessToken((token) => this.connection.handOverToken(token));
    this.typingSweep = setInterval(() => this.deps.dispatch({ type: 'typing/expired', now: Date.now() }), 1_000);
    void this.loadRooms();
    void this.refreshFriendRequestCount();
    void this.deps.api.me().then(
      (profile) => this.deps.dispatch({ type: 'profiles/loaded', profiles: [profile] }),
      () => undefined,
    );
  }

  stop(): void {
    this.stopTokenHandover?.();
    this.connection.stop();
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisibilityChange);
    clearInterval(this.typingSweep);
    clearTimeout(this.resyncTimer);
    this.gaps.close();
    this.typingSignal.stop();
    for (const timer of this.readTimers.values()) clearTimeout(timer);
  }

  // ---- rooms ----

  async loadRooms(): Promise<void> {
    const rooms: RoomSummary[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await this.deps.api.rooms(cursor);
        rooms.push(...page.rooms);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    } catch (error) {
      this.deps.dispatch({ type: 'rooms/failed', error: describeError(error) });
      return;
    }
    this.deps.dispatch({ type: 'rooms/loaded', rooms });
    const active = this.deps.getState().activeRoomId;
    if (active) this.markReadSoon(active);
    const selfId = this.deps.getState().selfId;
    const partners = rooms.map((room) => directPartnerId(room, selfId)).filter((id): id is string => id !== undefined);
    const senders = rooms.map((room) => room.lastMessage?.senderId).filter((id): id is string => id !== undefined);
    void this.ensureProfiles([...partners, ...senders]);
    void this.loadPresence(partners);
  }

  openRoom(roomId: string | null): void {
    this.deps.dispatch({ type: 'room/opened', roomId });
    if (!roomId) return;
    const state = this.deps.getState();
    if (!state.messages[roomId]?.loaded) void this.loadLatest(roomId);
    else this.markReadSoon(roomId);
    void this.loadMembers(roomId);
  }

  async loadLatest(roomId: string): Promise<void> {
    this.deps.dispatch({ type: 'history/loading', roomId });
    try {
      const page = await this.deps.api.history(roomId, { limit: PAGE_SIZE });
      this.gaps.trackFrom(roomId, page.messages);
      this.gaps.observe(page.messages);
      this.deps.dispatch({ type: 'history/loaded', roomId, messages: page.messages, hasMore: page.hasMore, older: false });
      void this.ensureProfiles(page.messages.map((message) => message.senderId));
      this.markReadSoon(roomId);
    } catch (error) {
      this.deps.dispatch({ type: 'history/failed', roomId, error: describeError(error) });
    }
  }

  async loadOlder(roomId: string): Promise<void> {
    const history = this.deps.getState().messages[roomId];
    if (!history?.loaded || !history.hasMore || history.loadingOlder) return;
    const beforeSeq = firstConfirmedSeq(history.items);
    if (beforeSeq === null) return;
    this.deps.dispatch({ type: 'history/loading', roomId });
    try {
      const page = await this.deps.api.history(roomId, { beforeSeq, limit: PAGE_SIZE });
      this.deps.dispatch({ type: 'history/loaded', roomId, messages: page.messages, hasMore: page.hasMore, older: true });
      void this.ensureProfiles(page.messages.map((message) => message.senderId));
    } catch (error) {
      this.deps.dispatch({ type: 'history/failed', roomId, error: describeError(error) });
    }
  }

  async loadMembers(roomId: string): Promise<void> {
    try {
      const { members } = await this.deps.api.members(roomId);
      this.deps.dispatch({ type: 'members/loaded', roomId, members });
      void this.ensureProfiles(members.map((member) => member.userId));
    } catch {
      // The header then shows only the member count.
    }
  }

  async createGroup(request: CreateRoomRequest): Promise<RoomSummary> {
    return this.adopt(await this.deps.api.createGroup(request));
  }

  async openDirect(userId: string): Promise<RoomSummary> {
    return this.adopt(await this.deps.api.openDirect(userId));
  }

  async joinRoom(roomId: string): Promise<RoomSummary> {
    return this.adopt(await this.deps.api.joinRoom(roomId));
  }

  async leaveRoom(roomId: string): Promise<void> {
    await this.deps.api.leaveRoom(roomId);
    this.gaps.untrack(roomId);
    this.deps.dispatch({ type: 'room/removed', roomId });
  }

  async addMembers(roomId: string, userIds: string[]): Promise<void> {
    const { members } = await this.deps.api.addMembers(roomId, userIds);
    this.deps.dispatch({ type: 'members/loaded', roomId, members });
  }

  async removeMember(roomId: string, userId: string): Promise<void> {
    await this.deps.api.removeMember(roomId, userId);
    await this.loadMembers(roomId);
  }

  // ---- messages ----

  send(roomId: string, body: string): void {
    const { selfId } = this.deps.getState();
    const clientMsgId = this.newClientMsgId();
    const message: ChatMessage = {
      key: messageKey(selfId, clientMsgId),
      id: null,
      seq: null,
      clientMsgId,
      roomId,
      senderId: selfId,
      body,
      createdAt: new Date().toISOString(),
      state: 'pending',
    };
    this.typing(roomId, false);
    this.deps.dispatch({ type: 'message/pending', message });
    void this.deliver(message);
  }

  /** Sends a failed message again with the same clientMsgId: the server stores it at most once. */
  retry(roomId: string, key: string): void {
    const message = this.deps.getState().messages[roomId]?.items.find((item) => item.key === key && item.id === null);
    if (!message) return;
    this.deps.dispatch({ type: 'message/pending', message });
    void this.deliver(message);
  }

  /** Reports the own typing in a room (throttled by TypingSignal). */
  typing(roomId: string, isTyping: boolean): void {
    this.typingSignal.update(roomId, isTyping);
  }

  /** Marks the open room read up to its newest message, once things settle. */
  markReadSoon(roomId: string): void {
    clearTimeout(this.readTimers.get(roomId));
    this.readTimers.set(roomId, setTimeout(() => void this.markRead(roomId), 300));
  }

  // ---- people ----

  ensureProfiles(userIds: string[]): Promise<void> {
    return this.people.ensureProfiles(userIds);
  }

  loadPresence(userIds: string[]): Promise<void> {
    return this.people.loadPresence(userIds);
  }

  refreshFriendRequestCount(): Promise<void> {
    return this.people.refreshFriendRequestCount();
  }

  // ---- internals ----

  private adopt(room: RoomSummary): RoomSummary {
    this.deps.dispatch({ type: 'room/upserted', room });
    void this.ensureProfiles(room.memberIds ?? []);
    return room;
  }

  private async deliver(message: ChatMessage): Promise<void> {
    const { socket, dispatch } = this.deps;
    const fail = (error: ApiError) => dispatch({ type: 'message/failed', roomId: message.roomId, key: message.key, error: describeSendFailure(error) });
    if (!socket.connected) {
      fail(new ApiError('offline', 'not connected'));
      return;
    }
    try {
      const ack = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('message:send', { roomId: message.roomId, clientMsgId: message.clientMsgId, body: message.body });
      if (ack.ok) {
        this.gaps.observe([ack.message]);
        dispatch({ type: 'message/received', messages: [ack.message], pageVisible: this.isPageVisible() });
        this.markReadSoon(message.roomId);
      } else {
        fail(apiErrorFromAck(ack.error));
      }
    } catch {
      fail(new ApiError('timeout', 'no acknowledgement'));
    }
  }

  private async markRead(roomId: string): Promise<void> {
    const state = this.deps.getState();
    if (state.activeRoomId !== roomId || !this.isPageVisible()) return;
    const newest = lastConfirmedId(state.messages[roomId]?.items ?? []);
    if (!newest || !state.rooms[roomId]) return;
    this.deps.dispatch({ type: 'read/own', roomId, messageId: newest });
    // The local summary already counts what is on screen as read; the server hears each marker once.
    const sent = this.sentReadMarkers.get(roomId);
    if (sent && compareMessageIds(sent, newest) >= 0) return;
    this.sentReadMarkers.set(roomId, newest);
    if (this.deps.socket.connected) this.deps.socket.emit('room:read', { roomId, messageId: newest });
    else await this.deps.api.markRead(roomId, newest).catch(() => this.sentReadMarkers.delete(roomId));
  }

  private listen(): void {
    const { socket, dispatch } = this.deps;
    socket.on('message:new', (message) => {
      this.gaps.observe([message]);
      this.received([message]);
    });
    // This pod's link to the other pods was cut for a while: ask what was missed (spread over delayMs).
    socket.on('server:resync', ({ delayMs }) => {
      clearTimeout(this.resyncTimer);
      this.resyncTimer = setTimeout(() => void this.gaps.resyncAll(), Math.random() * Math.max(0, delayMs));
    });
    socket.on('room:new', (room) => this.adopt(room));
    socket.on('room:member-joined', ({ roomId, userId }) => {
      dispatch({ type: 'member/joined', roomId, userId });
      if (this.deps.getState().members[roomId]) void this.loadMembers(roomId);
      void this.ensureProfiles([userId]);
    });
    socket.on('room:member-left', ({ roomId, userId }) => dispatch({ type: 'member/left', roomId, userId }));
    socket.on('room:read', ({ roomId, userId, messageId }) => dispatch({ type: 'read/receipt', roomId, userId, messageId }));
    socket.on('typing', ({ roomId, userId, isTyping }) => {
      dispatch({ type: 'typing', roomId, userId, isTyping, now: Date.now() });
      if (isTyping) void this.ensureProfiles([userId]);
    });
    socket.on('presence', (presence) => dispatch({ type: 'presence', entries: [presence] }));
    socket.on('notification', (notification) => {
      if (notification.kind === 'friend_request') void this.refreshFriendRequestCount();
    });
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onVisibilityChange);
  }

  private received(messages: Message[]): void {
    this.deps.dispatch({ type: 'message/received', messages, pageVisible: this.isPageVisible() });
    void this.ensureProfiles(messages.map((message) => message.senderId));
    const active = this.deps.getState().activeRoomId;
    if (active && messages.some((message) => message.roomId === active)) this.markReadSoon(active);
  }

  /** After every (re)connection: the room list again (after a real outage) and what each loaded room missed, by sequence. */
  private async onConnected(): Promise<void> {
    if (this.connectedBefore) void this.loadRooms();
    this.connectedBefore = true;
    await this.gaps.resyncAll();
  }
}
