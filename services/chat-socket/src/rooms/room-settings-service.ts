import type { MemberRole, RoomEvent, RoomEventList, RoomPreferences, RoomUpdatedEvent, UpdateRoomRequest } from '@parley/contracts';
import { ForbiddenError, NotFoundError } from '@parley/errors';
import { roomChannel, userChannel } from '../realtime/channels.js';
import type { ChatServer } from '../realtime/socket-types.js';
import type { RoomEventLog } from '../room-events/room-event-log.js';
import type { RoomRepository, RoomRow } from './room-repository.js';
import type { RoomSettingsRepository } from './room-settings-repository.js';

export interface RoomSettingsServiceSettings {
  io: ChatServer;
  rooms: RoomRepository;
  roomSettings: RoomSettingsRepository;
  events: RoomEventLog;
}

/**
 * A group's name, topic and picture (owners and admins), its admins (owners), each member's
 * mute, and the room's timeline. Changes are announced: `room:updated` and `room:member-role`
 * to the room, `room:preferences` to the member's own sockets, and a timeline line each.
 */
export class RoomSettingsService {
  constructor(private readonly settings: RoomSettingsServiceSettings) {}

  async update(actorId: string, roomId: string, patch: UpdateRoomRequest): Promise<RoomUpdatedEvent> {
    const before = await this.requireGroup(roomId);
    const role = await this.settings.rooms.roleOf(roomId, actorId);
    if (role !== 'owner' && role !== 'admin') throw new ForbiddenError('Only owners and admins can change the room settings');
    const topic = patch.topic === undefined ? undefined : patch.topic || null;
    const after = await this.settings.roomSettings.updateSettings(roomId, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(topic !== undefined ? { topic } : {}),
      ...(patch.avatarUrl !== undefined ? { avatarUrl: patch.avatarUrl } : {}),
    });
    if (!after) throw new NotFoundError('No such room');
    const updated: RoomUpdatedEvent = { id: after.id, name: after.name, topic: after.topic, avatarUrl: after.avatar_url };
    this.settings.io.to(roomChannel(roomId)).emit('room:updated', updated);
    const { events } = this.settings;
    if (after.name !== before.name) await events.record({ roomId, kind: 'renamed', actorId, data: { name: after.name ?? '' } });
    if (after.topic !== before.topic) await events.record({ roomId, kind: 'topic-changed', actorId, data: { topic: after.topic } });
    if (after.avatar_url !== before.avatar_url) await events.record({ roomId, kind: 'avatar-changed', actorId });
    return updated;
  }

  /** Owners make a member an admin, or an admin a member again. */
  async setRole(actorId: string, roomId: string, userId: string, role: Exclude<MemberRole, 'owner'>): Promise<void> {
    await this.requireGroup(roomId);
    if ((await this.settings.rooms.roleOf(roomId, actorId)) !== 'owner') throw new ForbiddenError('Only owners can change who is an admin');
    const current = await this.settings.rooms.roleOf(roomId, userId);
    if (!current) throw new NotFoundError('That user is not a member of this room');
    if (current === 'owner') throw new ForbiddenError('An owner stays an owner');
    if (current === role) return;
    await this.settings.roomSettings.setRole(roomId, userId, role);
    this.settings.io.to(roomChannel(roomId)).emit('room:member-role', { roomId, userId, role });
    await this.settings.events.record({ roomId, kind: 'role-changed', actorId, userId, data: { role } });
  }

  async setPreferences(userId: string, roomId: string, muted: boolean): Promise<RoomPreferences> {
    if (!(await this.settings.roomSettings.setMuted(roomId, userId, muted))) {
      if (!(await this.settings.rooms.findRoom(roomId))) throw new NotFoundError('No such room');
      throw new ForbiddenError('Only members can change their preferences for a room');
    }
    const preferences: RoomPreferences = { roomId, muted };
    this.settings.io.to(userChannel(userId)).emit('room:preferences', preferences);
    return preferences;
  }

  async timeline(userId: string, roomId: string, limit: number, before?: string): Promise<RoomEventList> {
    await this.requireMember(userId, roomId);
    const page: { events: RoomEvent[]; hasMore: boolean } = await this.settings.events.page(roomId, limit, before);
    return page;
  }

  private async requireGroup(roomId: string): Promise<RoomRow> {
    const room = await this.settings.rooms.findRoom(roomId);
    if (!room) throw new NotFoundError('No such room');
    if (room.kind !== 'group') throw new ForbiddenError('Direct rooms have no settings');
    return room;
  }

  private async requireMember(userId: string, roomId: string): Promise<void> {
    if (await this.settings.rooms.roleOf(roomId, userId)) return;
    if (!(await this.settings.rooms.findRoom(roomId))) throw new NotFoundError('No such room');
    throw new ForbiddenError('Only members can read this room');
  }
}
