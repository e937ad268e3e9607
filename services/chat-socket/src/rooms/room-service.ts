import type { CreateRoomRequest, Room, RoomMember, RoomSummary } from '@parley/contracts';
import { ForbiddenError, NotFoundError, ValidationError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import { roomChannel, userChannel } from '../realtime/channels.js';
import type { MembershipSync } from '../realtime/membership-sync.js';
import type { ChatServer } from '../realtime/socket-types.js';
import type { RoomEventLog } from '../room-events/room-event-log.js';
import type { UserServiceClient } from '../user-service/user-service-client.js';
import { RoomRepository, type RoomRow } from './room-repository.js';
import type { RoomSummaries } from './room-summaries.js';
import { myRoomsCursor, publicRoomsCursor, toRoom, toRoomMember } from './room-views.js';

/**
 * Which of `userIds` are online as `viewerId` may see it (presence, minus users hidden by a
 * block): the one thing rooms needs from presence, as a port so rooms does not depend on it.
 */
export interface OnlineAmong {
  onlineAmongFor(viewerId: string, userIds: string[]): Promise<Set<string>>;
}

export interface RoomServiceSettings {
  io: ChatServer;
  rooms: RoomRepository;
  summaries: RoomSummaries;
  membership: MembershipSync;
  presence: OnlineAmong;
  users: UserServiceClient;
  events: RoomEventLog;
  logger: Logger;
}

/**
 * Rooms and memberships. Every membership change is effective on all pods' sockets before
 * the call returns, then announced: `room:new` to each added user, `room:member-joined` /
 * `room:member-left` to the room.
 */
export class RoomService {
  constructor(private readonly settings: RoomServiceSettings) {}

  async openDirect(userId: string, otherId: string): Promise<{ room: RoomSummary; created: boolean }> {
    if (userId === otherId) throw new ValidationError('A direct room needs another user', [{ path: 'userId', message: 'must not be yourself' }]);
    if (await this.settings.users.isBlockedEitherWay(userId, otherId)) {
      throw new ForbiddenError('You cannot start a conversation with this user');
    }
    const { room, created, joined } = await this.settings.rooms.findOrCreateDirect(userId, otherId);
    const summary = await this.summaryFor(userId, room.id);
    if (created) await this.roomCreated(summary, joined);
    else if (joined.length > 0) await this.membersJoined(room.id, joined, userId);
    return { room: summary, created };
  }

  async createGroup(userId: string, request: CreateRoomRequest): Promise<RoomSummary> {
    const memberIds = [...new Set(request.memberIds)].filter((id) => id !== userId);
    const room = await this.settings.rooms.createGroup({
      creatorId: userId,
      name: request.name,
      visibility: request.visibility,
      memberIds,
    });
    const summary = await this.summaryFor(userId, room.id);
    await this.roomCreated(summary, [userId, ...memberIds]);
    await this.settings.events.record({ roomId: room.id, kind: 'created', actorId: userId, data: { name: request.name } });
    for (const memberId of memberIds) await this.settings.events.record({ roomId: room.id, kind: 'added', actorId: userId, userId: memberId });
    return summary;
  }

  async listMine(userId: string, limit: number, cursor?: string): Promise<{ rooms: RoomSummary[]; nextCursor: string | null }> {
    const after = cursor ? myRoomsCursor.decode(cursor) : undefined;
    const rows = await this.settings.rooms.listRoomsOf(userId, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      rooms: await this.settings.summaries.build(userId, page),
      nextCursor: rows.length > limit && last ? myRoomsCursor.encode({ activityUs: last.activity_us, id: last.id }) : null,
    };
  }

  async searchPublic(query: string | undefined, limit: number, cursor?: string): Promise<{ rooms: Room[]; nextCursor: string | null }> {
    const after = cursor ? publicRoomsCursor.decode(cursor) : undefined;
    const pattern = query ? `${query.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%` : undefined;
    const rows = (await this.settings.rooms.searchPublic(pattern, limit + 1, after)) as Array<
      RoomRow & { name_lower: string }
    >;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      rooms: page.map((row) => toRoom(row)),
      nextCursor: rows.length > limit && last ? publicRoomsCursor.encode({ name: last.name_lower, id: last.id }) : null,
    };
  }

  async join(userId: string, roomId: string): Promise<RoomSummary> {
    const room = await this.requireRoom(roomId);
    if (room.kind !== 'group' || room.visibility !== 'public') {
      if (await this.settings.rooms.roleOf(roomId, userId)) return this.summaryFor(userId, roomId);
      throw new ForbiddenError('Only public rooms can be joined without an invitation');
    }
    return this.addSelf(userId, roomId);
  }

  /** Joins without the public-room check: the caller checked the right to (an invite link). */
  async addSelf(userId: string, roomId: string): Promise<RoomSummary> {
    const added = await this.settings.rooms.addMembers(roomId, [userId]);
    if (added.length > 0) await this.membersJoined(roomId, added, userId);
    return this.summaryFor(userId, roomId);
  }

  async leave(userId: string, roomId: string): Promise<void> {
    await this.requireRoom(roomId);
    if (!(await this.settings.rooms.removeMember(roomId, userId))) throw new NotFoundError('You are not a member of this room');
    await this.memberLeft(roomId, userId, userId);
  }

  /**
   * The account was deleted: it leaves every room (an owner's room passes to its longest-
   * standing admin or member) and its waiting notifications go. Its messages stay, shown as a
   * deleted user (docs/decisions/0014-account-deletion.md). Idempotent.
   */
  async removeAccount(userId: string): Promise<number> {
    const roomIds = await this.settings.rooms.roomIdsOf(userId);
    for (const roomId of roomIds) {
      if (await this.settings.rooms.removeMember(roomId, userId)) await this.memberLeft(roomId, userId, userId);
    }
    await this.settings.rooms.deleteNotificationsOf(userId);
    this.settings.logger.info({ userId, rooms: roomIds.length }, 'memberships of a deleted account removed');
    return roomIds.length;
  }

  async addMembers(actorId: string, roomId: string, userIds: string[]): Promise<RoomMember[]> {
    await this.requireManager(actorId, roomId);
    const added = await this.settings.rooms.addMembers(roomId, userIds);
    if (added.length > 0) await this.membersJoined(roomId, added, actorId);
    return this.listMembersUnchecked(actorId, roomId);
  }

  async removeMember(actorId: string, roomId: string, userId: string): Promise<void> {
    await this.requireManager(actorId, roomId);
    const role = await this.settings.rooms.roleOf(roomId, userId);
    if (!role) throw new NotFoundError('That user is not a member of this room');
    const actorRole = await this.settings.rooms.roleOf(roomId, actorId);
    if (role === 'owner' && actorRole !== 'owner') throw new ForbiddenError('Only an owner can remove an owner');
    await this.settings.rooms.removeMember(roomId, userId);
    await this.memberLeft(roomId, userId, actorId);
  }

  async listMembers(userId: string, roomId: string): Promise<RoomMember[]> {
    await this.requireRoom(roomId);
    if (!(await this.settings.rooms.roleOf(roomId, userId))) throw new ForbiddenError('Only members can see who is in this room');
    return this.listMembersUnchecked(userId, roomId);
  }

  /** Members with their presence as `viewerId` may see it (hidden between users who block each other). */
  private async listMembersUnchecked(viewerId: string, roomId: string): Promise<RoomMember[]> {
    const members = await this.settings.rooms.listMembers(roomId);
    const online = await this.settings.presence.onlineAmongFor(viewerId, members.map((member) => member.user_id));
    return members.map((member) => toRoomMember(member, online.has(member.user_id)));
  }

  private async requireRoom(roomId: string): Promise<RoomRow> {
    const room = await this.settings.rooms.findRoom(roomId);
    if (!room) throw new NotFoundError('No such room');
    return room;
  }

  private async requireManager(actorId: string, roomId: string): Promise<void> {
    const room = await this.requireRoom(roomId);
    if (room.kind === 'direct') throw new ForbiddenError('Direct rooms always have exactly their two members');
    const role = await this.settings.rooms.roleOf(roomId, actorId);
    if (role !== 'owner' && role !== 'admin') throw new ForbiddenError('Only owners and admins of the room can change its members');
  }

  private async summaryFor(userId: string, roomId: string): Promise<RoomSummary> {
    const summary = await this.settings.summaries.forRoom(userId, roomId);
    if (!summary) throw new NotFoundError('No such room');
    return summary;
  }

  /** A new room: every member gets the same summary (nothing read, nothing sent yet), no join events. */
  private async roomCreated(summary: RoomSummary, memberIds: string[]): Promise<void> {
    await this.settings.membership.apply({ roomId: summary.id, join: memberIds, leave: [] });
    this.settings.io.to(memberIds.map(userChannel)).emit('room:new', summary);
  }

  private async membersJoined(roomId: string, userIds: string[], actorId: string): Promise<void> {
    const { io, membership } = this.settings;
    await membership.apply({ roomId, join: userIds, leave: [] });
    for (const userId of userIds) {
      io.to(roomChannel(roomId)).except(userChannel(userId)).emit('room:member-joined', { roomId, userId });
      await this.settings.events.record({ roomId, kind: actorId === userId ? 'joined' : 'added', actorId, userId });
      const summary = await this.settings.summaries.forRoom(userId, roomId).catch((error: unknown) => {
        this.settings.logger.warn({ err: error, roomId, userId }, 'cannot build room:new');
        return undefined;
      });
      if (summary) io.to(userChannel(userId)).emit('room:new', summary);
    }
  }

  private async memberLeft(roomId: string, userId: string, actorId: string): Promise<void> {
    // Leave first: the removed member receives nothing more from the room; only these notices, on their own channel.
    await this.settings.membership.apply({ roomId, join: [], leave: [userId] });
    // The timeline line first: a client still knows the room (its name) when it reads who removed whom.
    await this.settings.events.record({ roomId, kind: actorId === userId ? 'left' : 'removed', actorId, userId }, [userId]);
    this.settings.io.to([roomChannel(roomId), userChannel(userId)]).emit('room:member-left', { roomId, userId });
  }
}
