import { ForbiddenError, NotFoundError } from '@parley/errors';
import type { RoomRepository } from '../rooms/room-repository.js';

/** As history answers a non-member: 404 when there is no such room, 403 otherwise. */
export async function requireSearchableRoom(rooms: RoomRepository, userId: string, roomId: string): Promise<void> {
  if (await rooms.roleOf(roomId, userId)) return;
  if (!(await rooms.findRoom(roomId))) throw new NotFoundError('No such room');
  throw new ForbiddenError('Only members can read this room');
}
