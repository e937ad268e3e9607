import { ForbiddenError } from '@parley/errors';
import { roomChannel } from '../realtime/channels.js';
import type { ChatServer } from '../realtime/socket-types.js';
import type { RoomRepository } from '../rooms/room-repository.js';

/**
 * Read markers only move forward (GREATEST in SQL, so concurrent tabs cannot move one back).
 * A marker that moved is announced to the room as `room:read`.
 */
export class ReadMarkerService {
  constructor(
    private readonly io: ChatServer,
    private readonly rooms: RoomRepository,
  ) {}

  /** Returns the member's marker after the update. */
  async markRead(userId: string, roomId: string, messageId: string): Promise<string> {
    const result = await this.rooms.markRead(roomId, userId, messageId);
    if (!result) throw new ForbiddenError('Only members can mark a room as read');
    if (result.previous !== result.current) {
      this.io.to(roomChannel(roomId)).emit('room:read', { roomId, userId, messageId: result.current });
    }
    return result.current;
  }
}
