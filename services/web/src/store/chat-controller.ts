import { RoomGapFiller, type AttachmentLinks, type CreateRoomRequest, type Message, type MessageAttachment, type MemberRole, type RoomSummary, type UpdateRoomRequest } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import { ApiError, apiErrorFromAck } from '../api/api-error';
import { describeError, describeSendFailure } from '../api/error-messages';
import { ChatConnection } from '../connection/chat-connection';
import type { ChatSocket } from '../connection/socket-client';
import { compareMessageIds, messageKey, type ChatMessage } from '../messages/chat-message';
import { firstConfirmedId, firstConfirmedSeq } from '../messages/message-merge';
import { directPartnerId } from '../room-model/room-title';
import type { ChatAction, ChatState } from './chat-state';
import { Outbox, type OutboxEntry } from './outbox';
import { PeopleDirectory } from './people-directory';
import { TypingSignal } from './typing-signal';

export interface ChatControllerDeps {
  api: ApiClient;
  socket: ChatSocket;
  dispatch: (action: ChatAction) => void;
  getState: () => ChatState;
  newClientMsgId?: () => string;
}

const ACK_TIMEOUT_MS = 10_000;
const SYNC_TIMEOUT_MS = 10_000;
const PAGE_SIZE = 50;
/** Opening a room with many unread, older pages are loaded until the first unread is in (at most this many). */
const MAX_PAGES_TO_FIRST_UNREAD = 10;
/** Read markers seen on screen go to the server at most this often per room. */
const READ_FLUSH_MS = 250;
/** After an unanswered send, the outbox tries again this long later (or at the next reconnect). */
const OUTBOX_RETRY_MS = 5_000;

type Delivery = 'sent' | 'refused' | 'unanswered';

/**
 * Everything the chat screen does that is not a pure state change: REST calls, socket events
 * and acks, the outbox, read markers of what was seen, typing signals, and keeping every loaded
 * room complete: each message it sees goes through a RoomGapFiller, which asks `room:sync` by
 * sequence for any gap, after every reconnection and when the server says `server:resync`.
 * Components call its methods; it reports through `dispatch`.
 */
export class ChatController {
  private readonly connection: ChatConnection;
  private readonly people: PeopleDirectory;
  private readonly typingSignal: TypingSignal;
  private readonly gaps: RoomGapFiller;
  private resyncTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly outbox: Outbox;
  /** Newest id seen on screen per room, waiting to be sent as a read marker. */
  private readonly seen = new Map<string, string>();
  /** The newest marker sent (or being sent) to the server per room, this session. */
  private readonly toldMarkers = new Map<string, string>();
  private readTimer: ReturnType<typeof setTimeout> | undefined;
  private readPending = false;
  private outboxTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing = false;
  private readonly eventsLoaded = new Set<string>();
  private typingSweep: ReturnType<typeof setInterval> | undefined;
  private stopTokenHandover: (() => void) | undefined;
  private connectedBefore = false;
  private readonly newClientMsgId: () => string;
  private readonly incomingListeners = new Set<(message: Message) => void>();
  private readonly sentListeners = new Set<() => void>();

  constructor(private readonly deps: ChatControllerDeps) {
    this.newClientMsgId = deps.newClientMsgId ?? (() => crypto.randomUUID());
    this.people = new PeopleDirectory(deps.api, deps.dispatch, deps.getState);
    this.typingSignal = new TypingSignal(deps.socket);
    this.outbox = new Outbox(deps.getState().selfId);
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
    this.showOutbox();
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
    clearInterval(this.typingSweep);
    clearTimeout(this.readTimer);
    clearTimeout(this.outboxTimer);
    clearTimeout(this.resyncTimer);
    this.gaps.close();
    this.typingSignal.stop();
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
    const selfId = this.deps.getState().selfId;
    const partners = rooms.map((room) => directPartnerId(room, selfId)).filter((id): id is string => id !== undefined);
    const senders = rooms.map((room) => room.lastMessage?.senderId).filter((id): id is string => id !== undefined);
    void this.ensureProfiles([...partners, ...senders]);
    void this.loadPresence(partners);
  }

  openRoom(roomId: string | null): void {
    this.deps.dispatch({ type: 'room/opened', roomId });
    if (!roomId) return;
    if (!this.deps.getState().messages[roomId]?.loaded) void this.loadLatest(roomId);
    void this.loadMembers(roomId);
    if (!this.eventsLoaded.has(roomId)) void this.loadRoomEvents(roomId);
  }

  /** The newest page; with many unread, older pages too until the first unread message is in. */
  async loadLatest(roomId: string): Promise<void> {
    this.deps.dispatch({ type: 'history/loading', roomId });
    try {
      const page = await this.deps.api.history(roomId, { limit: PAGE_SIZE });
      this.gaps.trackFrom(roomId, page.messages);
      this.gaps.observe(page.messages);
      this.deps.dispatch({ type: 'history/loaded', roomId, messages: page.messages, hasMore: page.hasMore, older: false });
      void this.ensureProfiles(page.messages.map((message) => message.senderId));
    } catch (error) {
      this.deps.dispatch({ type: 'history/failed', roomId, error: describeError(error) });
      return;
    }
    for (let pages = 0; pages < MAX_PAGES_TO_FIRST_UNREAD && (this.firstUnreadMissing(roomId) || this.noMessageYet(roomId)); pages += 1) await this.loadOlder(roomId);
    this.deps.dispatch({ type: 'history/opened', roomId });
  }

  async loadOlder(roomId: string): Promise<void> {
    const history = this.deps.getState().messages[roomId];
    if (!history?.loaded || !history.hasMore || history.loadingOlder) return;
    const beforeSeq = history.oldestSeq ?? firstConfirmedSeq(history.items);
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

  async loadRoomEvents(roomId: string): Promise<void> {
    try {
      const { events } = await this.deps.api.roomEvents(roomId);
      this.eventsLoaded.add(roomId);
      this.deps.dispatch({ type: 'events/loaded', roomId, events });
      void this.ensureProfiles(events.flatMap((event) => [event.actorId, event.userId]).filter((id): id is string => id !== null));
    } catch {
      // The timeline then shows messages only; the next opening tries again.
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

  async acceptInvite(token: string): Promise<RoomSummary> {
    return this.adopt(await this.deps.api.acceptInvite(token));
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

  async updateRoom(roomId: string, patch: UpdateRoomRequest): Promise<void> {
    this.deps.dispatch({ type: 'room/updated', update: await this.deps.api.updateRoom(roomId, patch) });
  }

  async setRole(roomId: string, userId: string, role: Exclude<MemberRole, 'owner'>): Promise<void> {
    await this.deps.api.setMemberRole(roomId, userId, role);
    this.deps.dispatch({ type: 'member/role', roomId, userId, role });
  }

  async setMuted(roomId: string, muted: boolean): Promise<void> {
    const preferences = await this.deps.api.setRoomPreferences(roomId, { muted });
    this.deps.dispatch({ type: 'room/preferences', ...preferences });
  }

  // ---- messages ----

  /** Shows the message at once and puts it in the outbox, which sends it now or when the connection is back. */
  send(roomId: string, body: string, attachments?: MessageAttachment[]): void {
    const entry: OutboxEntry = {
      roomId,
      clientMsgId: this.newClientMsgId(),
      body,
      createdAt: new Date().toISOString(),
      ...(attachments && attachments.length > 0 ? { attachments } : {}),
    };
    this.typing(roomId, false);
    this.outbox.add(entry);
    this.show(entry, 'queued');
    for (const listener of this.sentListeners) listener();
    void this.flushOutbox();
  }

  /** Uploads a file to a room, to be sent with a message. */
  uploadAttachment(roomId: string, file: File, onProgress?: (sent: number, total: number) => void): Promise<MessageAttachment> {
    return this.deps.api.uploadAttachment(roomId, file, file.name || 'pasted-image', onProgress);
  }

  /** Signed URLs of a file, fresh each time (they expire within minutes). */
  attachmentLinks(roomId: string, attachmentId: string): Promise<AttachmentLinks> {
    return this.deps.api.attachmentLinks(roomId, attachmentId);
  }

  /** Changes the caller's own message's text (the server refuses others' messages). */
  editMessage(roomId: string, messageId: string, body: string): Promise<boolean> {
    return this.changeTimeline('message:edit', { roomId, messageId, clientMsgId: this.newClientMsgId(), body });
  }

  /** Deletes a message: the caller's own, or anyone's for room owners and admins. */
  deleteMessage(roomId: string, messageId: string): Promise<boolean> {
    return this.changeTimeline('message:delete', { roomId, messageId, clientMsgId: this.newClientMsgId() });
  }

  /** Adds or removes the caller's reaction with one emoji. */
  react(roomId: string, messageId: string, emoji: string, add: boolean): Promise<boolean> {
    return this.changeTimeline(add ? 'reaction:add' : 'reaction:remove', { roomId, messageId, clientMsgId: this.newClientMsgId(), emoji });
  }

  /**
   * A timeline change is acknowledged with the event as the server accepted it (with its room
   * sequence number): folded in at once, like a live one. One clientMsgId per change, so the
   * socket's own retry of the same emit is applied once.
   */
  private async changeTimeline(
    event: 'message:edit' | 'message:delete' | 'reaction:add' | 'reaction:remove',
    payload: { roomId: string; messageId: string; clientMsgId: string; body?: string; emoji?: string },
  ): Promise<boolean> {
    const { socket, dispatch } = this.deps;
    try {
      // One typed emit per event name: socket.io's typings need the literal.
      const ack =
        event === 'message:edit'
          ? await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, { roomId: payload.roomId, messageId: payload.messageId, clientMsgId: payload.clientMsgId, body: payload.body ?? '' })
          : event === 'message:delete'
            ? await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, { roomId: payload.roomId, messageId: payload.messageId, clientMsgId: payload.clientMsgId })
            : await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, { roomId: payload.roomId, messageId: payload.messageId, clientMsgId: payload.clientMsgId, emoji: payload.emoji ?? '' });
      if (!ack.ok) throw apiErrorFromAck(ack.error);
      this.gaps.observe([ack.event]);
      this.received([ack.event]);
      return true;
    } catch (error) {
      dispatch({ type: 'notice/shown', text: describeError(error) });
      return false;
    }
  }

  /** Sends a refused message again with the same clientMsgId: the server stores it at most once. */
  retry(roomId: string, key: string): void {
    const message = this.deps.getState().messages[roomId]?.items.find((item) => item.key === key && item.id === null);
    if (!message) return;
    const entry: OutboxEntry = { roomId, clientMsgId: message.clientMsgId, body: message.body, createdAt: message.createdAt };
    this.outbox.add(entry);
    this.show(entry, 'queued');
    void this.flushOutbox();
  }

  /** Reports the own typing in a room (throttled by TypingSignal). */
  typing(roomId: string, isTyping: boolean): void {
    this.typingSignal.update(roomId, isTyping);
  }

  /**
   * A message was on screen while the window had focus (messages/use-seen-messages.ts): the
   * room is read up to it here at once, and on the server shortly after (one marker per room).
   */
  markSeen(roomId: string, messageId: string): void {
    const room = this.deps.getState().rooms[roomId];
    if (!room) return;
    if (!room.lastReadMessageId || compareMessageIds(messageId, room.lastReadMessageId) > 0) this.deps.dispatch({ type: 'read/own', roomId, messageId });
    // The local marker also moves with one's own messages, the server's only with what was seen: compare with what it was told.
    const told = this.toldMarkers.get(roomId);
    if (told && compareMessageIds(messageId, told) <= 0) return;
    this.toldMarkers.set(roomId, messageId);
    const pending = this.seen.get(roomId);
    if (!pending || compareMessageIds(messageId, pending) > 0) this.seen.set(roomId, messageId);
    // The first marker goes at once, the ones that follow it within READ_FLUSH_MS together after it.
    if (this.readTimer) {
      this.readPending = true;
      return;
    }
    void this.sendReadMarkers();
    this.readTimer = setTimeout(() => this.readWindowOver(), READ_FLUSH_MS);
  }

  private readWindowOver(): void {
    this.readTimer = undefined;
    if (!this.readPending) return;
    this.readPending = false;
    void this.sendReadMarkers();
    this.readTimer = setTimeout(() => this.readWindowOver(), READ_FLUSH_MS);
  }

  /** Every new live message from someone else (browser notifications listen). */
  onIncoming(listener: (message: Message) => void): () => void {
    this.incomingListeners.add(listener);
    return () => this.incomingListeners.delete(listener);
  }

  /** Every message the person sends. */
  onSent(listener: () => void): () => void {
    this.sentListeners.add(listener);
    return () => this.sentListeners.delete(listener);
  }

  // ---- people ----

  ensureProfiles(userIds: string[]): Promise<void> {
    return this.people.ensureProfiles(userIds);
  }

  loadPresence(userIds: string[]): Promise<void> {
    return this.people.loadPresence(userIds);
  }

  /** Someone's profile as it is now (a profile card: the bio or picture may have changed since it was loaded). */
  async refreshProfile(userId: string): Promise<void> {
    try {
      this.deps.dispatch({ type: 'profiles/loaded', profiles: [await this.deps.api.profile(userId)] });
    } catch {
      // The card shows what was loaded before.
    }
  }

  refreshFriendRequestCount(): Promise<void> {
    return this.people.refreshFriendRequestCount();
  }

  dismissNotice(id: number): void {
    this.deps.dispatch({ type: 'notice/dismissed', id });
  }

  // ---- internals ----

  private adopt(room: RoomSummary): RoomSummary {
    this.deps.dispatch({ type: 'room/upserted', room });
    void this.ensureProfiles(room.memberIds ?? []);
    // A new conversation partner: their presence now, not when the room is first opened.
    const partner = directPartnerId(room, this.deps.getState().selfId);
    if (partner) void this.loadPresence([partner]);
    return room;
  }

  private show(entry: OutboxEntry, state: 'queued' | 'pending'): void {
    const { selfId } = this.deps.getState();
    const message: ChatMessage = {
      key: messageKey(selfId, entry.clientMsgId),
      id: null,
      seq: null,
      clientMsgId: entry.clientMsgId,
      roomId: entry.roomId,
      senderId: selfId,
      body: entry.body,
      createdAt: entry.createdAt,
      state,
      ...(entry.attachments ? { attachments: entry.attachments } : {}),
    };
    this.deps.dispatch({ type: 'message/pending', message });
  }

  /** What was left unsent last time (a reload, a closed tab) is shown as waiting, and goes out once connected. */
  private showOutbox(): void {
    for (const entry of this.outbox.list()) this.show(entry, 'queued');
  }

  /** Sends the outbox one message at a time, in order, while connected; stops at the first unanswered one. */
  private async flushOutbox(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    clearTimeout(this.outboxTimer);
    try {
      for (;;) {
        const next = this.outbox.list()[0];
        if (!next || !this.deps.socket.connected) return;
        if ((await this.deliver(next)) === 'unanswered') {
          this.outboxTimer = setTimeout(() => void this.flushOutbox(), OUTBOX_RETRY_MS);
          return;
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async deliver(entry: OutboxEntry): Promise<Delivery> {
    const { socket, dispatch } = this.deps;
    const key = messageKey(this.deps.getState().selfId, entry.clientMsgId);
    this.show(entry, 'pending');
    try {
      const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', {
        roomId: entry.roomId,
        clientMsgId: entry.clientMsgId,
        body: entry.body,
        ...(entry.attachments ? { attachments: entry.attachments.map((attachment) => attachment.id) } : {}),
      });
      this.outbox.remove(entry.clientMsgId);
      if (ack.ok) {
        this.gaps.observe([ack.message]);
        dispatch({ type: 'message/received', messages: [ack.message] });
        return 'sent';
      }
      dispatch({ type: 'message/failed', roomId: entry.roomId, key, error: describeSendFailure(apiErrorFromAck(ack.error)) });
      return 'refused';
    } catch {
      // No answer (the connection dropped, or the server is slow): it stays in the outbox.
      if (this.outbox.has(entry.clientMsgId)) this.show(entry, 'queued');
      else dispatch({ type: 'message/failed', roomId: entry.roomId, key, error: describeSendFailure(new ApiError('timeout', 'no acknowledgement')) });
      return 'unanswered';
    }
  }

  private async sendReadMarkers(): Promise<void> {
    const markers = [...this.seen];
    this.seen.clear();
    for (const [roomId, messageId] of markers) {
      if (this.deps.socket.connected) {
        this.deps.socket.emit('room:read', { roomId, messageId });
        continue;
      }
      // Offline: REST when it can; otherwise the marker waits for the next reconnection.
      await this.deps.api.markRead(roomId, messageId).catch(() => {
        const newer = this.seen.get(roomId);
        if (!newer || compareMessageIds(messageId, newer) > 0) this.seen.set(roomId, messageId);
      });
    }
  }

  /** The pages so far held only edits, deletions and reactions: nothing to show yet, older pages exist. */
  private noMessageYet(roomId: string): boolean {
    const history = this.deps.getState().messages[roomId];
    return !!history?.hasMore && !history.items.some((item) => item.id !== null);
  }

  private firstUnreadMissing(roomId: string): boolean {
    const state = this.deps.getState();
    const line = state.unreadLine[roomId];
    const history = state.messages[roomId];
    if (line === undefined || !history?.hasMore) return false;
    const first = firstConfirmedId(history.items);
    return first !== null && compareMessageIds(first, line) > 0;
  }

  private listen(): void {
    const { socket, dispatch } = this.deps;
    socket.on('message:new', (message) => {
      this.gaps.observe([message]);
      this.received([message]);
    });
    // Edits, deletions and reactions take room sequence numbers too: the gap filler counts them.
    socket.on('message:changed', (event) => {
      this.gaps.observe([event]);
      this.received([event]);
    });
    // This pod's link to the other pods was cut for a while: ask what was missed (spread over delayMs).
    socket.on('server:resync', ({ delayMs }) => {
      clearTimeout(this.resyncTimer);
      this.resyncTimer = setTimeout(() => void this.gaps.resyncAll(), Math.random() * Math.max(0, delayMs));
    });
    socket.on('room:new', (room) => this.adopt(room));
    // The server is about to close the socket: this tab (and, through the session channel, every
    // other tab) returns to sign-in at once, saying why; an expired token is renewed instead.
    socket.on('session:ended', ({ reason }) => this.deps.api.sessionEnded(reason));
    socket.on('room:member-joined', ({ roomId, userId }) => {
      dispatch({ type: 'member/joined', roomId, userId });
      if (this.deps.getState().members[roomId]) void this.loadMembers(roomId);
      void this.ensureProfiles([userId]);
    });
    socket.on('room:member-left', ({ roomId, userId }) => {
      dispatch({ type: 'member/left', roomId, userId });
      if (userId !== this.deps.getState().selfId) void this.people.refreshProfile(userId);
    });
    socket.on('room:event', (event) => {
      dispatch({ type: 'event/received', event });
      void this.ensureProfiles([event.actorId, event.userId].filter((id): id is string => id !== null));
      const { selfId, rooms, profiles } = this.deps.getState();
      if (event.kind === 'removed' && event.userId === selfId && event.actorId !== selfId) {
        const room = rooms[event.roomId];
        const by = event.actorId ? profiles[event.actorId] : undefined;
        dispatch({
          type: 'notice/shown',
          text: `You were removed from ${room?.name ? `“${room.name}”` : 'a group'}${by ? ` by ${by.displayName ?? by.username}` : ''}.`,
        });
      }
    });
    socket.on('room:updated', (update) => dispatch({ type: 'room/updated', update }));
    socket.on('room:member-role', ({ roomId, userId, role }) => dispatch({ type: 'member/role', roomId, userId, role }));
    socket.on('room:preferences', ({ roomId, muted }) => dispatch({ type: 'room/preferences', roomId, muted }));
    socket.on('room:read', ({ roomId, userId, messageId }) => dispatch({ type: 'read/receipt', roomId, userId, messageId }));
    socket.on('typing', ({ roomId, userId, isTyping }) => {
      dispatch({ type: 'typing', roomId, userId, isTyping, now: Date.now() });
      if (isTyping) void this.ensureProfiles([userId]);
    });
    socket.on('presence', (presence) => dispatch({ type: 'presence', entries: [presence] }));
    socket.on('notification', (notification) => {
      if (notification.kind === 'friend_request') void this.refreshFriendRequestCount();
      if (notification.kind === 'friend_accepted' && notification.fromUserId) void this.friendAccepted(notification.fromUserId);
    });
  }

  private async friendAccepted(userId: string): Promise<void> {
    await this.ensureProfiles([userId]);
    const profile = this.deps.getState().profiles[userId];
    const name = profile ? (profile.displayName ?? profile.username) : 'Someone';
    this.deps.dispatch({ type: 'notice/shown', text: `${name} accepted your friend request.` });
  }

  private received(messages: Message[]): void {
    this.deps.dispatch({ type: 'message/received', messages });
    void this.ensureProfiles(messages.map((message) => message.senderId));
    const selfId = this.deps.getState().selfId;
    for (const message of messages) if (message.senderId !== selfId) for (const listener of this.incomingListeners) listener(message);
  }

  /** After every (re)connection: the outbox, the room list and presence again (after a real outage), what each loaded room missed, by sequence. */
  private async onConnected(): Promise<void> {
    void this.flushOutbox();
    if (this.seen.size > 0) void this.sendReadMarkers();
    if (this.connectedBefore) {
      void this.loadRooms();
      void this.people.reloadPresence();
    }
    this.connectedBefore = true;
    await this.gaps.resyncAll();
  }
}
