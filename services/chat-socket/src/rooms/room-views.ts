import { z } from 'zod';
import { roomIdSchema, text, type Message, type Room, type RoomMember, type RoomSummary } from '@parley/contracts';
import { opaqueCursor } from '@parley/http';
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

export function toRoomSummary(row: MyRoomRow, extras: { memberIds?: string[]; lastMessage: Message | null; unreadCount: number; mentionCount?: number }): RoomSummary {
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
    ...(extras.mentionCount !== undefined ? { mentionCount: extras.mentionCount } : {}),
  };
}

export function toRoomMember(row: MemberRow, online: boolean): RoomMember {
  return { userId: row.user_id, role: row.role, joinedAt: row.joined_at.toISOString(), online, lastReadMessageId: row.last_read_message_id };
}

/** Rooms of a member, newest activity first: the last row's (activity in µs, id). */
export const myRoomsCursor = opaqueCursor(1, { activityUs: z.string().regex(/^-?\d{1,18}$/), id: roomIdSchema });

/** Public rooms by name: the last row's (lower-cased name, id). */
export const publicRoomsCursor = opaqueCursor(1, { name: text().max(400), id: roomIdSchema });
