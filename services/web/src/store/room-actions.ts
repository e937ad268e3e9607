import type { CreateRoomRequest, MemberRole, RoomSummary, UpdateRoomRequest } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { directPartnerId } from '../room-model/room-title';
import type { ControllerContext } from './controller-context';
import type { RoomHistory } from './room-history';

/** The room list, opening a room, its members and events, and what the person does to rooms. */
/** Reads of a member list while member changes keep landing, before the last one is shown anyway. */
const MEMBER_LIST_ATTEMPTS = 3;

export class RoomActions {
  private readonly eventsLoaded = new Set<string>();
  /** Per room, how many member changes were seen (see loadMembers). */
  private readonly memberChanges = new Map<string, number>();

  constructor(
    private readonly context: ControllerContext,
    private readonly history: RoomHistory,
  ) {}

  async loadRooms(): Promise<void> {
    const { api, dispatch, getState, people } = this.context;
    const rooms: RoomSummary[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await api.rooms(cursor);
        rooms.push(...page.rooms);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    } catch (error) {
      dispatch({ type: 'rooms/failed', error: describeError(error) });
      return;
    }
    dispatch({ type: 'rooms/loaded', rooms });
    const selfId = getState().selfId;
    const partners = rooms.map((room) => directPartnerId(room, selfId)).filter((id): id is string => id !== undefined);
    const senders = rooms.map((room) => room.lastMessage?.senderId).filter((id): id is string => id !== undefined);
    void people.ensureProfiles([...partners, ...senders]);
    void people.loadPresence(partners);
  }

  openRoom(roomId: string | null): void {
    this.context.dispatch({ type: 'room/opened', roomId });
    if (!roomId) return;
    if (!this.context.getState().messages[roomId]?.loaded) void this.history.loadLatest(roomId);
    void this.loadMembers(roomId);
    if (!this.eventsLoaded.has(roomId)) void this.loadRoomEvents(roomId);
  }

  /**
   * Loads a room's member list. A list read while a member change landed (a role set here, or one
   * the server announced) may predate it, and would undo it on screen: it is read again instead.
   */
  async loadMembers(roomId: string): Promise<void> {
    try {
      for (let attempt = 0; attempt < MEMBER_LIST_ATTEMPTS; attempt += 1) {
        const changesBefore = this.memberChanges.get(roomId) ?? 0;
        const { members } = await this.context.api.members(roomId);
        if ((this.memberChanges.get(roomId) ?? 0) !== changesBefore && attempt + 1 < MEMBER_LIST_ATTEMPTS) continue;
        this.context.dispatch({ type: 'members/loaded', roomId, members });
        void this.context.people.ensureProfiles(members.map((member) => member.userId));
        return;
      }
    } catch {
      // The header then shows only the member count.
    }
  }

  /** A member joined, left or changed role: member lists read before it are stale. */
  noteMemberChange(roomId: string): void {
    this.memberChanges.set(roomId, (this.memberChanges.get(roomId) ?? 0) + 1);
  }

  async loadRoomEvents(roomId: string): Promise<void> {
    try {
      const { events } = await this.context.api.roomEvents(roomId);
      this.eventsLoaded.add(roomId);
      this.context.dispatch({ type: 'events/loaded', roomId, events });
      void this.context.people.ensureProfiles(events.flatMap((event) => [event.actorId, event.userId]).filter((id): id is string => id !== null));
    } catch {
      // The timeline then shows messages only; the next opening tries again.
    }
  }

  async createGroup(request: CreateRoomRequest): Promise<RoomSummary> {
    return this.adopt(await this.context.api.createGroup(request));
  }

  async openDirect(userId: string): Promise<RoomSummary> {
    return this.adopt(await this.context.api.openDirect(userId));
  }

  async joinRoom(roomId: string): Promise<RoomSummary> {
    return this.adopt(await this.context.api.joinRoom(roomId));
  }

  async acceptInvite(token: string): Promise<RoomSummary> {
    return this.adopt(await this.context.api.acceptInvite(token));
  }

  async leaveRoom(roomId: string): Promise<void> {
    await this.context.api.leaveRoom(roomId);
    this.context.live.gaps.untrack(roomId);
    this.context.dispatch({ type: 'room/removed', roomId });
  }

  async addMembers(roomId: string, userIds: string[]): Promise<void> {
    const { members } = await this.context.api.addMembers(roomId, userIds);
    this.context.dispatch({ type: 'members/loaded', roomId, members });
  }

  async removeMember(roomId: string, userId: string): Promise<void> {
    await this.context.api.removeMember(roomId, userId);
    await this.loadMembers(roomId);
  }

  async updateRoom(roomId: string, patch: UpdateRoomRequest): Promise<void> {
    this.context.dispatch({ type: 'room/updated', update: await this.context.api.updateRoom(roomId, patch) });
  }

  async setRole(roomId: string, userId: string, role: Exclude<MemberRole, 'owner'>): Promise<void> {
    await this.context.api.setMemberRole(roomId, userId, role);
    this.noteMemberChange(roomId);
    this.context.dispatch({ type: 'member/role', roomId, userId, role });
  }

  async setMuted(roomId: string, muted: boolean): Promise<void> {
    const preferences = await this.context.api.setRoomPreferences(roomId, { muted });
    this.context.dispatch({ type: 'room/preferences', ...preferences });
  }

  /** A room the person is now in (created, joined, or announced by `room:new`). */
  adopt(room: RoomSummary): RoomSummary {
    const { dispatch, getState, people } = this.context;
    dispatch({ type: 'room/upserted', room });
    void people.ensureProfiles(room.memberIds ?? []);
    // A new conversation partner: their presence now, not when the room is first opened.
    const partner = directPartnerId(room, getState().selfId);
    if (partner) void people.loadPresence([partner]);
    return room;
  }
}
