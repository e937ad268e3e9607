import { describe, expect, it } from 'vitest';
import type { Message, RoomSummary } from '@parley/contracts';
import { applyIncomingMessage, applyOwnReadMarker, sortRoomsByActivity, totalUnread } from './room-summaries';

const SELF = '00000000-0000-4000-8000-00000000000a';
const OTHER = '00000000-0000-4000-8000-00000000000b';

function room(id: string, overrides: Partial<RoomSummary> = {}): RoomSummary {
  return {
    id,
    kind: 'group',
    name: `room ${id}`,
    visibility: 'private',
    createdBy: SELF,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastActivityAt: '2026-01-01T00:00:00.000Z',
    memberCount: 2,
    lastMessage: null,
    unreadCount: 0,
    lastReadMessageId: null,
    ...overrides,
  };
}

function message(id: string, senderId: string, createdAt = '2026-01-02T00:00:00.000Z'): Message {
  return { id, seq: Number(id), roomId: 'r', senderId, clientMsgId: '10000000-0000-4000-8000-000000000001', body: 'hi', createdAt };
}

describe('unread counts', () => {
  it('counts a new message from someone else in a room you are not looking at', () => {
    const next = applyIncomingMessage(room('r'), message('5', OTHER), SELF);
    expect(next.unreadCount).toBe(1);
    expect(next.lastMessage?.id).toBe('5');
    expect(next.lastActivityAt).toBe('2026-01-02T00:00:00.000Z');
  });

  it('does not count your own messages, which also move your read marker', () => {
    const own = applyIncomingMessage(room('r'), message('5', SELF), SELF);
    expect(own).toMatchObject({ unreadCount: 0, lastReadMessageId: '5' });
  });

  it('counts a message in the room you have open until it is seen (no marker moves on arrival)', () => {
    const arrived = applyIncomingMessage(room('r', { lastReadMessageId: '4' }), message('6', OTHER), SELF);
    expect(arrived).toMatchObject({ unreadCount: 1, lastReadMessageId: '4' });
  });

  it('counts a message once even when it is delivered twice (live and again by the reconnect sync)', () => {
    const once = applyIncomingMessage(room('r'), message('5', OTHER), SELF);
    const twice = applyIncomingMessage(once, message('5', OTHER), SELF);
    expect(twice.unreadCount).toBe(1);
    expect(twice).toBe(once);
  });

  it('does not count a message at or before your read marker', () => {
    const read = room('r', { lastReadMessageId: '9' });
    expect(applyIncomingMessage(read, message('8', OTHER), SELF).unreadCount).toBe(0);
  });

  it('clears the count when you read up to the newest message, and keeps the marker from moving back', () => {
    const unread = room('r', { lastMessage: message('9', OTHER), unreadCount: 3, lastReadMessageId: '5' });
    const partly = applyOwnReadMarker(unread, '7');
    expect(partly).toMatchObject({ unreadCount: 3, lastReadMessageId: '7' });
    const caughtUp = applyOwnReadMarker(partly, '9');
    expect(caughtUp).toMatchObject({ unreadCount: 0, lastReadMessageId: '9' });
    expect(applyOwnReadMarker(caughtUp, '4')).toBe(caughtUp);
  });

  it('adds up unread messages over all rooms but the muted ones', () => {
    expect(totalUnread([room('a', { unreadCount: 2 }), room('b'), room('c', { unreadCount: 5 }), room('d', { unreadCount: 4, muted: true })])).toBe(7);
  });
});

describe('room order', () => {
  it('puts the room with the most recent activity first', () => {
    const rooms = [
      room('old', { lastActivityAt: '2026-01-01T00:00:00.000Z' }),
      room('new', { lastActivityAt: '2026-03-01T00:00:00.000Z' }),
      room('mid', { lastActivityAt: '2026-02-01T00:00:00.000Z' }),
    ];
    expect(sortRoomsByActivity(rooms).map((entry) => entry.id)).toEqual(['new', 'mid', 'old']);
  });

  it('moves a room to the top when a message arrives in it', () => {
    const rooms = [room('a', { lastActivityAt: '2026-02-01T00:00:00.000Z' }), room('b')];
    const bumped = applyIncomingMessage(rooms[1]!, message('1', OTHER, '2026-03-01T00:00:00.000Z'), SELF);
    expect(sortRoomsByActivity([rooms[0]!, bumped]).map((entry) => entry.id)).toEqual(['b', 'a']);
  });
});
