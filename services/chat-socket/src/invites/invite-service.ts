import type { CreatedInvite, InvitePreview, RoomInvite, RoomSummary } from '@parley/contracts';
import { ForbiddenError, NotFoundError } from '@parley/errors';
import type { RoomRepository, RoomRow } from '../rooms/room-repository.js';
import type { RoomService } from '../rooms/room-service.js';
import type { InviteRepository } from './invite-repository.js';

export interface InviteServiceSettings {
  invites: InviteRepository;
  rooms: RoomRepository;
  roomService: Pick<RoomService, 'addSelf'>;
}

const NOT_USABLE = 'This invite link does not work any more (it expired or was revoked)';

/**
 * Invite links to private groups: owners and admins create them (each expiring), list and
 * revoke them; anyone signed in who has a usable link can see the room's name and join it.
 */
export class InviteService {
  constructor(private readonly settings: InviteServiceSettings) {}

  async create(actorId: string, roomId: string, expiresInHours: number): Promise<CreatedInvite> {
    const room = await this.requireManagedGroup(actorId, roomId);
    if (room.visibility !== 'private') throw new ForbiddenError('Public rooms need no invitation: anyone can join them');
    const { invite, token } = await this.settings.invites.create(roomId, actorId, new Date(Date.now() + expiresInHours * 3_600_000));
    return { ...invite, token };
  }

  async list(actorId: string, roomId: string): Promise<RoomInvite[]> {
    await this.requireManagedGroup(actorId, roomId);
    return this.settings.invites.listForRoom(roomId);
  }

  async revoke(actorId: string, roomId: string, inviteId: string): Promise<void> {
    await this.requireManagedGroup(actorId, roomId);
    if (!(await this.settings.invites.revoke(roomId, inviteId))) throw new NotFoundError('No such invite link in this room');
  }

  async preview(userId: string, token: string): Promise<InvitePreview> {
    const { invite, room } = await this.usable(token);
    return {
      room: { id: room.id, name: room.name, topic: room.topic, avatarUrl: room.avatar_url, memberCount: room.member_count },
      expiresAt: invite.expiresAt,
      alreadyMember: (await this.settings.rooms.roleOf(room.id, userId)) !== undefined,
    };
  }

  async accept(userId: string, token: string): Promise<RoomSummary> {
    const { invite, room } = await this.usable(token);
    const wasMember = (await this.settings.rooms.roleOf(room.id, userId)) !== undefined;
    const summary = await this.settings.roomService.addSelf(userId, room.id);
    if (!wasMember) await this.settings.invites.countUse(invite.id);
    return summary;
  }

  private async usable(token: string): Promise<{ invite: RoomInvite; room: RoomRow }> {
    const invite = await this.settings.invites.findUsable(token);
    const room = invite ? await this.settings.rooms.findRoom(invite.roomId) : undefined;
    if (!invite || !room) throw new NotFoundError(NOT_USABLE);
    return { invite, room };
  }

  private async requireManagedGroup(actorId: string, roomId: string): Promise<RoomRow> {
    const room = await this.settings.rooms.findRoom(roomId);
    if (!room) throw new NotFoundError('No such room');
    if (room.kind !== 'group') throw new ForbiddenError('Direct rooms have no invite links');
    const role = await this.settings.rooms.roleOf(roomId, actorId);
    if (role !== 'owner' && role !== 'admin') throw new ForbiddenError('Only owners and admins manage invite links');
    return room;
  }
}
