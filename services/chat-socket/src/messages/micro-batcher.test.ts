import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
        await pause(2); // far shorter than the window: the old behaviour started the next batch right after
      },
    });
    for (let index = 0; index < 60; index += 1) {
      batcher.add(index);
      await pause(5);
    }
    await batcher.drain();
    const gaps = starts.slice(1, -1).map((start, index) => start - starts[index]!);
    expect(gaps.every((gap) => gap >= 38)).toBe(true);
    expect(sizes.reduce((total, size) => total + size, 0)).toBe(60);
    expect(Math.max(...sizes)).toBeGreaterThan(3);
  });

  it('starts a full batch at once', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number>({ maxWaitMs: 10_000, maxSize: 3, process: async (items) => void batches.push(items) });
    batcher.add(1);
    batcher.add(2);
    batcher.add(3);
    expect(batches).toEqual([[1, 2, 3]]);
    await batcher.drain();
  });

  it('starts a batch for items of one tick on a quiet batcher without waiting for the window', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number>({ maxWaitMs: 10_000, maxSize: 100, process: async (items) => void batches.push(items) });
    batcher.add(1);
    batcher.add(2);
    expect(batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1, 2]]);
  });

  it('holds an item that arrives within a window of the last start until that window is over, then starts it alone', async () => {
    const started: Array<{ items: number[]; at: number }> = [];
    const batcher = new MicroBatcher<number>({ maxWaitMs: 60, maxSize: 100, process: async (items) => void started.push({ items, at: performance.now() }) });
    batcher.add(1);
    await pause(10);
    batcher.add(2);
    await pause(10);
    expect(started.map((batch) => batch.items)).toEqual([[1]]);
    await pause(200);
    expect(started.map((batch) => batch.items)).toEqual([[1], [2]]);
    expect(started[1]!.at - started[0]!.at).toBeGreaterThanOrEqual(59);
    // A window after the last start the batcher is quiet again: the next item goes at once.
    await pause(70);
    batcher.add(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started.map((batch) => batch.items)).toEqual([[1], [2], [3]]);
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
    await batcher.drain();
    expect(overlapped).toBe(false);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
