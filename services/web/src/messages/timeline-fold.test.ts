import { describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { foldIncoming, type FoldedRoom } from './timeline-fold';

const ROOM = '3f6c1a52-6a0e-4a53-9d43-0a8f4d1b6a10';
const ANA = '9b2f3c1e-0d7a-4c55-8e21-5b6a7c8d9e0f';
const BEN = '1b2f3c1e-0d7a-4c55-8e21-5b6a7c8d9e0f';

const message = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: String(1000 + seq),
  seq,
  roomId: ROOM,
  senderId: ANA,
  clientMsgId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  body: `message ${seq}`,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  ...extra,
});
const event = (seq: number, kind: Message['kind'], targetSeq: number, extra: Partial<Message> = {}) =>
  message(seq, { kind, targetId: String(1000 + targetSeq), body: '', ...extra });

const empty: FoldedRoom = { items: [], pendingEvents: [] };
const fold = (items: Message[][]) => items.reduce((room, batch) => foldIncoming(room, batch), empty);
const shown = (room: FoldedRoom) => room.items.map(({ id, body, editedAt, deletedAt, reactions }) => ({ id, body, editedAt, deletedAt, reactions }));

const timeline = [
  message(1),
  message(2),
  event(3, 'edit', 1, { body: 'edited once' }),
  event(4, 'reaction_add', 1, { senderId: BEN, emoji: '👍' }),
  event(5, 'edit', 1, { body: 'edited twice' }),
  event(6, 'delete', 2),
  event(7, 'reaction_add', 1, { emoji: '👍' }),
  event(8, 'reaction_remove', 1, { senderId: BEN, emoji: '👍' }),
];

describe('folding timeline events into messages', () => {
  const live = fold(timeline.map((item) => [item]));

  it('applies edits, deletions and reactions in sequence order', () => {
    expect(shown(live)).toEqual([
      { id: '1001', body: 'edited twice', editedAt: timeline[4]!.createdAt, deletedAt: undefined, reactions: [{ emoji: '👍', count: 1, userIds: [ANA] }] },
      { id: '1002', body: '', editedAt: undefined, deletedAt: timeline[5]!.createdAt, reactions: undefined },
    ]);
  });

  it('gives the same state whatever the order, however often events arrive', () => {
    const shuffled = fold([[timeline[7]!, timeline[2]!], [timeline[4]!], [timeline[0]!, timeline[3]!], timeline, [timeline[5]!, timeline[1]!, timeline[6]!]]);
    expect(shown(shuffled)).toEqual(shown(live));
  });

  it('keeps events of a message it does not have aside, never showing them, and applies them when it arrives', () => {
    const early = fold([[timeline[2]!, timeline[5]!]]);
    expect(early.items).toEqual([]);
    expect(early.pendingEvents).toHaveLength(2);
    const later = foldIncoming(early, [message(1), message(2)]);
    expect(later.pendingEvents).toEqual([]);
    expect(shown(later).map((item) => [item.body, item.deletedAt !== undefined])).toEqual([
      ['edited once', false],
      ['', true],
    ]);
  });

  it('skips events already folded into a stored copy, and takes a newer stored copy over what it has', () => {
    const stored = message(1, { body: 'edited twice', editedAt: 'x', stateSeq: 8, reactions: [{ emoji: '👍', count: 1, userIds: [ANA] }] });
    const reloaded = fold([[stored, ...timeline.slice(2)]]);
    expect(shown(reloaded)[0]).toMatchObject({ body: 'edited twice', reactions: [{ emoji: '👍', count: 1, userIds: [ANA] }] });
    const older = fold([[message(1)], [stored]]);
    expect(shown(older)[0]).toMatchObject({ body: 'edited twice', editedAt: 'x' });
  });
});
