import type { AttachmentLinks, CreateRoomRequest, MemberRole, Message, MessageAttachment, RoomSummary, ThreadResponse, UpdateRoomRequest } from '@parley/contracts';
import { ChatConnection } from '../connection/chat-connection';
import type { ChatControllerDeps, ControllerContext } from './controller-context';
import { LiveMessages } from './live-messages';
import { MessageSending } from './message-sending';
import { PeopleDirectory } from './people-directory';
import { ReadState } from './read-state';
import { RoomActions } from './room-actions';
import { RoomHistory } from './room-history';
import { listenToServer } from './server-events';
import { TypingSignal } from './typing-signal';

export type { ChatControllerDeps } from './controller-context';

/**
 * Everything the chat screen does that is not a pure state change, behind one object the
 * components call (it reports through `dispatch`): the connection's lifecycle here, the rest by
 * domain: rooms (room-actions.ts, room-history.ts), live messages and gap filling
 * (live-messages.ts, server-events.ts), sending (message-sending.ts), read state
 * (read-state.ts), people and presence (people-directory.ts), typing (typing-signal.ts).
 */
export class ChatController {
  private readonly connection: ChatConnection;
  private readonly people: PeopleDirectory;
  private readonly live: LiveMessages;
  private readonly context: ControllerContext;
  private readonly history: RoomHistory;
  private readonly rooms: RoomActions;
  private readonly sending: MessageSending;
  private readonly reads: ReadState;
  private readonly typingSignal: TypingSignal;
  private typingSweep: ReturnType<typeof setInterval> | undefined;
  private stopTokenHandover: (() => void) | undefined;
  private connectedBefore = false;

  constructor(private readonly deps: ChatControllerDeps) {
    this.people = new PeopleDirectory(deps.api, deps.dispatch, deps.getState);
    this.live = new LiveMessages(deps, this.people);
    this.context = { ...deps, people: this.people, live: this.live };
    this.history = new RoomHistory(this.context);
    this.rooms = new RoomActions(this.context, this.history);
    this.sending = new MessageSending(this.context, deps.newClientMsgId ?? (() => crypto.randomUUID()));
    this.reads = new ReadState(this.context);
    this.typingSignal = new TypingSignal(deps.socket);
    this.connection = new ChatConnection(deps.socket, {
      status: (status) => deps.dispatch({ type: 'connection', status }),
      connected: () => void this.onConnected(),
      renewToken: async () => (await deps.api.refresh().catch(() => null)) !== null,
    });
  }

  start(): void {
    listenToServer(this.context, this.rooms);
    this.sending.showUnsent();
    this.connection.start();
    this.stopTokenHandover = this.deps.api.onAccessToken((token) => this.connection.handOverToken(token));
    this.typingSweep = setInterval(() => this.deps.dispatch({ type: 'typing/expired', now: Date.now() }), 1_000);
    void this.rooms.loadRooms();
    void this.people.refreshFriendRequestCount();
    void this.deps.api.me().then(
      (profile) => this.deps.dispatch({ type: 'profiles/loaded', profiles: [profile] }),
      () => undefined,
    );
  }

  stop(): void {
    this.stopTokenHandover?.();
    this.connection.stop();
    clearInterval(this.typingSweep);
    this.reads.stop();
    this.sending.stop();
    this.live.stop();
    this.typingSignal.stop();
  }

  // ---- rooms ----
  loadRooms = (): Promise<void> => this.rooms.loadRooms();
  openRoom = (roomId: string | null): void => this.rooms.openRoom(roomId);
  loadLatest = (roomId: string): Promise<void> => this.history.loadLatest(roomId);
  loadOlder = (roomId: string): Promise<void> => this.history.loadOlder(roomId);
  loadMembers = (roomId: string): Promise<void> => this.rooms.loadMembers(roomId);
  loadRoomEvents = (roomId: string): Promise<void> => this.rooms.loadRoomEvents(roomId);
  createGroup = (request: CreateRoomRequest): Promise<RoomSummary> => this.rooms.createGroup(request);
  openDirect = (userId: string): Promise<RoomSummary> => this.rooms.openDirect(userId);
  joinRoom = (roomId: string): Promise<RoomSummary> => this.rooms.joinRoom(roomId);
  acceptInvite = (token: string): Promise<RoomSummary> => this.rooms.acceptInvite(token);
  leaveRoom = (roomId: string): Promise<void> => this.rooms.leaveRoom(roomId);
  addMembers = (roomId: string, userIds: string[]): Promise<void> => this.rooms.addMembers(roomId, userIds);
  removeMember = (roomId: string, userId: string): Promise<void> => this.rooms.removeMember(roomId, userId);
  updateRoom = (roomId: string, patch: UpdateRoomRequest): Promise<void> => this.rooms.updateRoom(roomId, patch);
  setRole = (roomId: string, userId: string, role: Exclude<MemberRole, 'owner'>): Promise<void> => this.rooms.setRole(roomId, userId, role);
  setMuted = (roomId: string, muted: boolean): Promise<void> => this.rooms.setMuted(roomId, muted);

  // ---- messages ----
  /** Shows the message at once and puts it in the outbox, which sends it now or when the connection is back. */
  send(roomId: string, body: string, replyTo?: string, attachments?: MessageAttachment[]): void {
    this.typing(roomId, false);
    this.sending.send(roomId, body, replyTo, attachments);
  }
  uploadAttachment = (roomId: string, file: File, onProgress?: (sent: number, total: number) => void): Promise<MessageAttachment> =>
    this.sending.uploadAttachment(roomId, file, onProgress);
  attachmentLinks = (roomId: string, attachmentId: string): Promise<AttachmentLinks> => this.sending.attachmentLinks(roomId, attachmentId);
  retry = (roomId: string, key: string): void => this.sending.retry(roomId, key);
  editMessage = (roomId: string, messageId: string, body: string): Promise<boolean> => this.sending.editMessage(roomId, messageId, body);
  deleteMessage = (roomId: string, messageId: string): Promise<boolean> => this.sending.deleteMessage(roomId, messageId);
  react = (roomId: string, messageId: string, emoji: string, add: boolean): Promise<boolean> => this.sending.react(roomId, messageId, emoji, add);
  /** A message's thread: the message and a page of its replies, the latest or those before `beforeSeq` (the thread panel). */
  thread = (roomId: string, messageId: string, beforeSeq?: number): Promise<ThreadResponse> =>
    this.deps.api.replies(roomId, messageId, beforeSeq === undefined ? {} : { beforeSeq });
  /** Every new live message from someone else (browser notifications listen). */
  onIncoming = (listener: (message: Message) => void): (() => void) => this.live.onIncoming(listener);
  /** Every message the person sends. */
  onSent = (listener: () => void): (() => void) => this.sending.onSent(listener);

  // ---- read state, typing ----
  markSeen = (roomId: string, messageId: string): void => this.reads.markSeen(roomId, messageId);
  /** Reports the own typing in a room (throttled by TypingSignal). */
  typing = (roomId: string, isTyping: boolean): void => this.typingSignal.update(roomId, isTyping);

  // ---- people, presence ----
  ensureProfiles = (userIds: string[]): Promise<void> => this.people.ensureProfiles(userIds);
  loadPresence = (userIds: string[]): Promise<void> => this.people.loadPresence(userIds);
  refreshFriendRequestCount = (): Promise<void> => this.people.refreshFriendRequestCount();

  /** Someone's profile as it is now (a profile card: the bio or picture may have changed since it was loaded). */
  async refreshProfile(userId: string): Promise<void> {
    try {
      this.deps.dispatch({ type: 'profiles/loaded', profiles: [await this.deps.api.profile(userId)] });
    } catch {
      // The card shows what was loaded before.
    }
  }

  dismissNotice(id: number): void {
    this.deps.dispatch({ type: 'notice/dismissed', id });
  }

  /** After every (re)connection: the outbox, the room list and presence again (after a real outage), what each loaded room missed, by sequence. */
  private async onConnected(): Promise<void> {
    void this.sending.flushOutbox();
    this.reads.connected();
    if (this.connectedBefore) {
      void this.rooms.loadRooms();
      void this.people.reloadPresence();
    }
    this.connectedBefore = true;
    await this.live.resyncAll();
  }
}
