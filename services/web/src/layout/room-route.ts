/** The open room lives in the URL (`/rooms/<id>`), so a reload or a shared link reopens it. */
const ROOM_PATH = /^\/rooms\/([0-9a-f-]{36})\/?$/i;

export function roomIdFromPath(pathname: string): string | null {
  return ROOM_PATH.exec(pathname)?.[1] ?? null;
}

export function pathForRoom(roomId: string | null): string {
  return roomId ? `/rooms/${roomId}` : '/';
}
