import type { Message, Room, RoomMember, RoomSummary } from '@parley/contracts';
import type { MemberRow, MyRoomRow, RoomRow } from './room-repository.js';

export function toRoom(row: RoomRow, memberIds?: string[]): Room {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    visibility: row.visibility,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    lastActivityAt: row.last_activity_at.toISOString(),
    memberCount: row.member_count,
    ...(row.kind === 'direct' && memberIds ? { memberIds } : {}),
    ...(row.kind === 'group' ? { topic: row.topic, avatarUrl: row.avatar_url } : {}),
  };
}

export function toRoomSummary(row: MyRoomRow, extras: { memberIds?: string[]; lastMessage: Message | null; unreadCount: number }): RoomSummary {
  const room = toRoom(row, extras.memberIds);
  const lastActivityAt =
    extras.lastMessage && extras.lastMessage.createdAt > room.lastActivityAt ? extras.lastMessage.createdAt : room.lastActivityAt;
  return {
    ...room,
    lastActivityAt,
    lastMessage: extras.lastMessage,
    unreadCount: extras.unreadCount,
    lastReadMessageId: row.last_read_message_id,
    muted: row.muted,
  };
}

export function toRoomMember(row: MemberRow, online: boolean): RoomMember {
  return { userId: row.user_id, role: row.role, joinedAt: row.joined_at.toISOString(), online, lastReadMessageId: row.last_read_message_id };
}

/** Opaque cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string, size: number): string[] | undefined {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === size && parts.every((part) => typeof part === 'string')) return parts as string[];
  } catch {
    // Not one of ours.
  }
  return undefined;
}
