/**
 * Who is where: socket i belongs to user i, and every user is in exactly one room. Rooms are
 * consecutive blocks of users (the last room may be smaller).
 */
export interface Topology {
  /** Room index → room id. */
  roomIds: string[];
  /** Room index → socket (= user) indexes of its members. */
  roomMembers: number[][];
  /** Socket index → room index. */
  socketRoom: Int32Array;
  /** Socket index → position of the socket in its room's member list. */
  socketSlot: Int32Array;
}

/** Splits `users` users into rooms of `roomSize` (a last room of one is merged into the previous). */
export function planRooms(users: number, roomSize: number): number[][] {
  if (users < 2) throw new Error('at least 2 users are needed');
  if (roomSize < 2) throw new Error('rooms need at least 2 members');
  const rooms: number[][] = [];
  for (let first = 0; first < users; first += roomSize) {
    rooms.push(Array.from({ length: Math.min(roomSize, users - first) }, (_, offset) => first + offset));
  }
  const last = rooms.at(-1)!;
  if (last.length === 1 && rooms.length > 1) {
    rooms.pop();
    rooms.at(-1)!.push(last[0]!);
  }
  return rooms;
}

export function buildTopology(roomIds: string[], roomMembers: number[][], sockets: number): Topology {
  if (roomIds.length !== roomMembers.length) throw new Error('one id per room is needed');
  const socketRoom = new Int32Array(sockets).fill(-1);
  const socketSlot = new Int32Array(sockets).fill(-1);
  roomMembers.forEach((members, room) => {
    members.forEach((socket, slot) => {
      socketRoom[socket] = room;
      socketSlot[socket] = slot;
    });
  });
  return { roomIds, roomMembers, socketRoom, socketSlot };
}
