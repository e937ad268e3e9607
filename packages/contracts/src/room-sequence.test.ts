import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from './chat.js';
import { GAP_FILL_MAX_ATTEMPTS, GAP_FILL_MAX_DELAY_MS, RoomGapFiller, RoomSequence, type RoomSyncRequest } from './room-sequence.js';

const ROOM = '00000000-0000-4000-8000-000000000001';
const OTHER_ROOM = '00000000-0000-4000-8000-000000000002';

const message = (seq: number, roomId = ROOM): Message => ({
  id: String(1_000 + seq),
  seq,
  roomId,
  senderId: '00000000-0000-4000-8000-00000000000a',
  clientMsgId: `10000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  body: `m${seq}`,
  createdAt: '2026-05-01T10:00:00.000Z',
});

describe('RoomSequence', () => {
  it('knows up to where it holds every number, and whether anything between is missing', () => {
    const sequence = new RoomSequence(2);
    sequence.add(3);
    expect([sequence.completeUpTo, sequence.hasGap]).toEqual([3, false]);
    sequence.add(6);
    sequence.add(5);
    expect([sequence.completeUpTo, sequence.hasGap]).toEqual([3, true]);
    sequence.add(4);
    expect([sequence.completeUpTo, sequence.hasGap]).toEqual([6, false]);
    sequence.add(2);
    sequence.add(6);
    expect([sequence.completeUpTo, sequence.hasGap]).toEqual([6, false]);
  });

  it('gives up on a hole only when told to, then continues from the next number it holds', () => {
    const sequence = new RoomSequence(0);
    for (const seq of [1, 3, 4, 7]) sequence.add(seq);
    sequence.skipGap();
    expect([sequence.completeUpTo, sequence.hasGap]).toEqual([4, true]);
    sequence.skipGap();
    expect([sequence.completeUpTo, sequence.hasGap]).toEqual([7, false]);
  });
});

describe('RoomGapFiller', () => {
  /** The server: these messages per room; sync answers up to `pageSize` after the asked number. */
  let server: Map<string, Message[]>;
  let asked: RoomSyncRequest[];
  let received: Message[];
  let filler: RoomGapFiller;
  const pageSize = 2;

  beforeEach(() => {
    vi.useFakeTimers();
    server = new Map([[ROOM, [1, 2, 3, 4, 5].map((seq) => message(seq))]]);
    asked = [];
    received = [];
    filler = new RoomGapFiller({
      settleMs: 100,
      sync: async (rooms) => {
        asked.push(rooms);
        return rooms.map(({ roomId, afterSeq }) => {
          const after = (server.get(roomId) ?? []).filter((candidate) => candidate.seq > afterSeq);
          return { roomId, messages: after.slice(0, pageSize), hasMore: after.length > pageSize };
        });
      },
      received: (messages) => received.push(...messages),
    });
  });

  afterEach(() => {
    filler.close();
    vi.useRealTimers();
  });

  it('asks nothing while messages arrive in order, or out of order but complete within the settle time', async () => {
    filler.track(ROOM, 0);
    filler.observe([message(1), message(3)]);
    await vi.advanceTimersByTimeAsync(50);
    filler.observe([message(2)]);
    await vi.advanceTimersByTimeAsync(500);
    expect(asked).toEqual([]);
    expect(filler.completeUpTo(ROOM)).toBe(3);
  });

  it('fills a gap that stays open from the room’s complete point, following hasMore, and hands over what it found', async () => {
    filler.track(ROOM, 0);
    filler.observe([message(1), message(5)]);
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toEqual([[{ roomId: ROOM, afterSeq: 1 }], [{ roomId: ROOM, afterSeq: 3 }]]);
    expect(received.map((found) => found.seq)).toEqual([2, 3, 4, 5]);
    expect(filler.completeUpTo(ROOM)).toBe(5);
  });

  it('asks again with backoff (at most a minute apart) when the server does not have the missing number yet, then gives up on it instead of looping', async () => {
    server.set(ROOM, [1, 3].map((seq) => message(seq)));
    filler.track(ROOM, 0);
    filler.observe([message(1), message(3)]);
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000 + 8_000 + 16_000 + 32_000);
    expect(asked).toHaveLength(7);
    expect(filler.completeUpTo(ROOM)).toBe(1);
    await vi.advanceTimersByTimeAsync(5 * 60_000 + 1_000);
    expect(asked).toHaveLength(GAP_FILL_MAX_ATTEMPTS);
    expect(filler.completeUpTo(ROOM)).toBe(3);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(asked).toHaveLength(GAP_FILL_MAX_ATTEMPTS);
  });

  it('still fills a number that becomes readable a minute later (a persistence job waiting out its retry backoff)', async () => {
    server.set(ROOM, [1, 3].map((seq) => message(seq)));
    filler.track(ROOM, 0);
    filler.observe([message(1), message(3)]);
    await vi.advanceTimersByTimeAsync(100 + 60_000);
    expect(filler.completeUpTo(ROOM)).toBe(1);
    server.set(ROOM, [1, 2, 3].map((seq) => message(seq)));
    await vi.advanceTimersByTimeAsync(GAP_FILL_MAX_DELAY_MS);
    expect(received.map((found) => found.seq)).toContain(2);
    expect(filler.completeUpTo(ROOM)).toBe(3);
  });

  it('resyncs every followed room at once (after a reconnection or server:resync), and ignores rooms it does not follow', async () => {
    server.set(OTHER_ROOM, [message(1, OTHER_ROOM)]);
    filler.trackFrom(ROOM, [message(2), message(3)]);
    filler.track(OTHER_ROOM, 0);
    filler.observe([message(9, '00000000-0000-4000-8000-000000000099')]);
    await filler.resyncAll();
    expect(asked[0]).toEqual([
      { roomId: ROOM, afterSeq: 1 },
      { roomId: OTHER_ROOM, afterSeq: 0 },
    ]);
    expect(filler.completeUpTo(ROOM)).toBe(5);
    expect(filler.completeUpTo(OTHER_ROOM)).toBe(1);
  });

  it('keeps waiting for an answer rather than skipping when the sync fails (no answer is not an empty answer)', async () => {
    let failing = true;
    const flaky = new RoomGapFiller({
      settleMs: 100,
      sync: async (rooms) => (failing ? undefined : rooms.map(({ roomId }) => ({ roomId, messages: [message(2)], hasMore: false }))),
      received: (messages) => received.push(...messages),
    });
    flaky.track(ROOM, 0);
    flaky.observe([message(1), message(3)]);
    await vi.advanceTimersByTimeAsync(100 + 1_000);
    failing = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(flaky.completeUpTo(ROOM)).toBe(3);
    flaky.close();
  });
});
