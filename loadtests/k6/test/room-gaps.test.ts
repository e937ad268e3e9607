import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoomGaps, type SyncedRoom } from '../lib/room-gaps.js';

describe('k6 sequence gap filling (lib/room-gaps.js)', () => {
  let server: number[];
  let asked: number[];
  let received: number[];
  let gaps: RoomGaps;

  beforeEach(() => {
    vi.useFakeTimers();
    server = [1, 2, 3, 4, 5];
    asked = [];
    received = [];
    gaps = new RoomGaps({
      setTimeout,
      settleMs: 100,
      sync: (afterSeq, done) => {
        asked.push(afterSeq);
        const after = server.filter((seq) => seq > afterSeq);
        const room: SyncedRoom = { messages: after.slice(0, 2).map((seq) => ({ seq, roomId: 'r', senderId: 's', body: '' })), hasMore: after.length > 2 };
        setTimeout(() => done(room), 1);
      },
      received: (messages) => received.push(...messages.map((message) => message.seq)),
    });
  });

  afterEach(() => vi.useRealTimers());

  it('leaves an out-of-order delivery alone when the missing one arrives within the settle time', async () => {
    gaps.observe(2);
    gaps.observe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect([asked, gaps.complete]).toEqual([[], 2]);
  });

  it('asks from the complete point for a gap that stays open, following hasMore', async () => {
    gaps.observe(1);
    gaps.observe(5);
    await vi.advanceTimersByTimeAsync(200);
    expect(asked).toEqual([1, 3]);
    expect(received).toEqual([2, 3, 4, 5]);
    expect([gaps.complete, gaps.hasGap]).toEqual([5, false]);
  });

  it('gives up on a number the server never has, after asking for about six minutes with backoff', async () => {
    server = [1, 3];
    gaps.observe(1);
    gaps.observe(3);
    await vi.advanceTimersByTimeAsync(100 + 1_000 + 2_000 + 4_000 + 50);
    expect(asked).toHaveLength(4);
    expect([gaps.complete, gaps.hasGap]).toEqual([1, true]);
    await vi.advanceTimersByTimeAsync(8_000 + 16_000 + 32_000 + 5 * 60_000 + 1_000);
    expect(asked).toHaveLength(12);
    expect([gaps.complete, gaps.hasGap]).toEqual([3, false]);
  });
});
