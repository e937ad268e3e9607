import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MicroBatcher } from './micro-batcher.js';

// The batcher reads the clock and schedules on timers and immediates; these tests run them on
// a fake clock, so that every figure is exact and no test depends on the machine's load.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Drains the batcher while the fake clock runs on. */
async function drainOnFakeClock<Item>(batcher: MicroBatcher<Item>): Promise<void> {
  let drained = false;
  const draining = batcher.drain().then(() => {
    drained = true;
  });
  while (!drained) await vi.advanceTimersByTimeAsync(1);
  await draining;
}

describe('MicroBatcher', () => {
  it('under steady arrivals starts a batch at most once per window, each carrying what arrived over it', async () => {
    const starts: number[] = [];
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number>({
      maxWaitMs: 40,
      maxSize: 1_000,
      process: async (items) => {
        starts.push(performance.now());
        sizes.push(items.length);
        await pause(2); // far shorter than the window: a batcher timed from the last end would start again at once
      },
    });
    for (let index = 0; index < 60; index += 1) {
      batcher.add(index);
      await vi.advanceTimersByTimeAsync(5);
    }
    await vi.advanceTimersByTimeAsync(100); // the last window runs out on its own; drain() would force it
    const gaps = starts.slice(1).map((start, index) => start - starts[index]!);
    expect(gaps.length).toBeGreaterThan(5);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40);
    expect(sizes.reduce((total, size) => total + size, 0)).toBe(60);
    expect(Math.max(...sizes)).toBe(8); // 40 ms of arrivals 5 ms apart
  });

  it('starts a full batch at once', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number>({ maxWaitMs: 10_000, maxSize: 3, process: async (items) => void batches.push(items) });
    batcher.add(1);
    batcher.add(2);
    batcher.add(3);
    expect(batches).toEqual([[1, 2, 3]]);
    await drainOnFakeClock(batcher);
  });

  it('starts a batch for items of one tick on a quiet batcher without waiting for the window', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number>({ maxWaitMs: 10_000, maxSize: 100, process: async (items) => void batches.push(items) });
    batcher.add(1);
    batcher.add(2);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1, 2]]);
  });

  it('holds an item that arrives within a window of the last start until that window is over, then starts it alone', async () => {
    const started: Array<{ items: number[]; at: number }> = [];
    const batcher = new MicroBatcher<number>({ maxWaitMs: 60, maxSize: 100, process: async (items) => void started.push({ items, at: performance.now() }) });
    batcher.add(1);
    await vi.advanceTimersByTimeAsync(10);
    batcher.add(2);
    await vi.advanceTimersByTimeAsync(10);
    expect(started.map((batch) => batch.items)).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(39);
    expect(started.map((batch) => batch.items)).toEqual([[1]]); // 59 ms after the first start
    await vi.advanceTimersByTimeAsync(1);
    expect(started.map((batch) => batch.items)).toEqual([[1], [2]]);
    expect(started[1]!.at - started[0]!.at).toBe(60);
    // A window after the last start the batcher is quiet again: the next item goes at once.
    await vi.advanceTimersByTimeAsync(60);
    batcher.add(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(started.map((batch) => batch.items)).toEqual([[1], [2], [3]]);
    expect(started[2]!.at - started[1]!.at).toBe(60);
  });

  it('keeps batches apart: the next starts only when the running one has ended, in arrival order', async () => {
    let running = 0;
    let overlapped = false;
    const seen: number[] = [];
    const batcher = new MicroBatcher<number>({
      maxWaitMs: 1,
      maxSize: 2,
      process: async (items) => {
        running += 1;
        overlapped ||= running > 1;
        await pause(10);
        seen.push(...items);
        running -= 1;
      },
    });
    for (let index = 0; index < 9; index += 1) batcher.add(index);
    await drainOnFakeClock(batcher);
    expect(overlapped).toBe(false);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
