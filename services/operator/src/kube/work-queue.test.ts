import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WorkQueue', () => {
  it('processes a burst of adds of one key once, and never the same key twice at a time', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const queue = new WorkQueue({
      baseBackoffMs: 10,
      maxBackoffMs: 100,
      async process(key) {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        seen.push(key);
        await sleep(20);
        inFlight -= 1;
      },
    });
    for (let i = 0; i < 5; i += 1) queue.add('ns/a');
    queue.add('ns/b');
    await sleep(10);
    queue.add('ns/a'); // while ns/a is processed: once more afterwards
    queue.add('ns/a');
    await sleep(150);
    expect(seen).toEqual(['ns/a', 'ns/b', 'ns/a']);
    expect(maxInFlight).toBe(1);
    await queue.stop();
  });

  it('retries a failing key with exponential backoff, and resets after a success', async () => {
    const attempts: number[] = [];
    const delays: number[] = [];
    const start = Date.now();
    const queue = new WorkQueue({
      baseBackoffMs: 20,
      maxBackoffMs: 1_000,
      async process() {
        attempts.push(Date.now() - start);
        if (attempts.length < 4) throw new Error('API server unavailable');
      },
      onError: (_key, _error, retryInMs) => delays.push(retryInMs),
    });
    queue.add('ns/a');
    await sleep(400);
    expect(attempts).toHaveLength(4);
    expect(delays).toEqual([20, 40, 80]);
    await queue.stop();
  });

  it('runs a key again after the requested delay, an earlier schedule winning', async () => {
    const seen: number[] = [];
    const start = Date.now();
    let first = true;
    const queue = new WorkQueue({
      baseBackoffMs: 10,
      maxBackoffMs: 100,
      async process() {
        seen.push(Date.now() - start);
        if (first) {
          first = false;
          return { requeueAfterMs: 60 };
        }
        return undefined;
      },
    });
    queue.add('ns/a');
    queue.addAfter('ns/b', 500);
    queue.addAfter('ns/b', 30);
    await sleep(150);
    expect(seen).toHaveLength(3);
    expect(seen[2]).toBeGreaterThanOrEqual(55);
    await queue.stop();
  });

  it('takes no work once stopped', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue({ baseBackoffMs: 10, maxBackoffMs: 100, process: async (key) => void seen.push(key) });
    await queue.stop();
    queue.add('ns/a');
    queue.addAfter('ns/b', 1);
    await sleep(30);
    expect(seen).toEqual([]);
  });
});
