import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoundCoalescer, type PartResult, type RoundCoalescerSettings } from './round-coalescer.js';

/** A round runner whose rounds end when the test says so. */
function controlledRounds(settings?: RoundCoalescerSettings) {
  const rounds: Array<{ parts: number[]; finish(results?: Array<PartResult<string>>): void; fail(error: unknown): void }> = [];
  let running = 0;
  let overlapped = false;
  const coalescer = new RoundCoalescer<number, string>(
    (parts) =>
      new Promise((resolve, reject) => {
        running += 1;
        if (running > 1) overlapped = true;
        rounds.push({
          parts,
          finish: (results) => {
            running -= 1;
            resolve(results ?? parts.map((part) => ({ ok: true, value: `stored ${part}` })));
          },
          fail: (error) => {
            running -= 1;
            reject(error);
          },
        });
      }),
    settings,
  );
  return { coalescer, rounds, overlapped: () => overlapped };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('RoundCoalescer', () => {
  it('starts a round for a lone part at once, without waiting for companions', async () => {
    const { coalescer, rounds } = controlledRounds();
    const answer = coalescer.submit(1);
    await turn();
    expect(rounds.map((round) => round.parts)).toEqual([[1]]);
    rounds[0]!.finish();
    await expect(answer).resolves.toBe('stored 1');
  });

  it('puts parts submitted in the same tick into one round', async () => {
    const { coalescer, rounds } = controlledRounds();
    const answers = [coalescer.submit(1), coalescer.submit(2), coalescer.submit(3)];
    await turn();
    expect(rounds.map((round) => round.parts)).toEqual([[1, 2, 3]]);
    rounds[0]!.finish();
    await expect(Promise.all(answers)).resolves.toEqual(['stored 1', 'stored 2', 'stored 3']);
  });

  it('collects what arrives during a round into the next one, and never runs two rounds at once', async () => {
    const { coalescer, rounds, overlapped } = controlledRounds();
    const first = coalescer.submit(1);
    await turn();
    const later = [coalescer.submit(2), coalescer.submit(3)];
    await turn();
    expect(rounds).toHaveLength(1);
    rounds[0]!.finish();
    await first;
    await turn();
    expect(rounds.map((round) => round.parts)).toEqual([[1], [2, 3]]);
    rounds[1]!.finish();
    await expect(Promise.all(later)).resolves.toEqual(['stored 2', 'stored 3']);
    expect(overlapped()).toBe(false);
  });

  it("fails only the part the round answers with an error; the others get their own outcome", async () => {
    const { coalescer, rounds } = controlledRounds();
    const answers = [coalescer.submit(1), coalescer.submit(2)];
    await turn();
    rounds[0]!.finish([
      { ok: true, value: 'stored 1' },
      { ok: false, error: new Error('clashes on (room, seq)') },
    ]);
    await expect(answers[0]).resolves.toBe('stored 1');
    await expect(answers[1]).rejects.toThrow('clashes on (room, seq)');
  });

  it('fails every part of a round that throws, and still runs the next round', async () => {
    const { coalescer, rounds } = controlledRounds();
    const answers = [coalescer.submit(1), coalescer.submit(2)];
    await turn();
    const waiting = coalescer.submit(3);
    rounds[0]!.fail(new Error('PostgreSQL is away'));
    await expect(answers[0]).rejects.toThrow('PostgreSQL is away');
    await expect(answers[1]).rejects.toThrow('PostgreSQL is away');
    await turn();
    expect(rounds.map((round) => round.parts)).toEqual([[1, 2], [3]]);
    rounds[1]!.finish();
    await expect(waiting).resolves.toBe('stored 3');
  });

  it('fails a part the round gives no answer for instead of leaving it hanging', async () => {
    const { coalescer, rounds } = controlledRounds();
    const answers = [coalescer.submit(1), coalescer.submit(2)];
    await turn();
    rounds[0]!.finish([{ ok: true, value: 'stored 1' }]);
    await expect(answers[0]).resolves.toBe('stored 1');
    await expect(answers[1]).rejects.toThrow('no result');
  });
});

describe('RoundCoalescer with a window (MESSAGES_ROUND_WINDOW_MS)', () => {
  // On a fake clock, so that every figure is exact and no test depends on the machine's load.
  const fakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a round at once on a coalescer that was idle for a whole window', async () => {
    fakeClock();
    const { coalescer, rounds } = controlledRounds({ windowMs: 10, maxParts: 4 });
    const answer = coalescer.submit(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(rounds.map((round) => round.parts)).toEqual([[1]]);
    rounds[0]!.finish();
    await expect(answer).resolves.toBe('stored 1');
  });

  it("holds a part that comes within the window of the last round's start until the window ends, and takes what comes meanwhile along", async () => {
    fakeClock();
    const { coalescer, rounds, overlapped } = controlledRounds({ windowMs: 10, maxParts: 4 });
    const first = coalescer.submit(1);
    await vi.advanceTimersByTimeAsync(0);
    rounds[0]!.finish();
    await first;
    await vi.advanceTimersByTimeAsync(2);
    const second = coalescer.submit(2);
    await vi.advanceTimersByTimeAsync(6);
    const third = coalescer.submit(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(rounds).toHaveLength(1); // 9 ms after the first round's start
    await vi.advanceTimersByTimeAsync(1);
    expect(rounds.map((round) => round.parts)).toEqual([[1], [2, 3]]);
    rounds[1]!.finish();
    await expect(Promise.all([second, third])).resolves.toEqual(['stored 2', 'stored 3']);
    expect(overlapped()).toBe(false);
  });

  it('starts at once, window or not, when as many parts wait as the worker can hold', async () => {
    fakeClock();
    const { coalescer, rounds } = controlledRounds({ windowMs: 1_000, maxParts: 3 });
    const first = coalescer.submit(1);
    await vi.advanceTimersByTimeAsync(0);
    rounds[0]!.finish();
    await first;
    const waiting = [coalescer.submit(2)];
    await vi.advanceTimersByTimeAsync(5);
    waiting.push(coalescer.submit(3));
    await vi.advanceTimersByTimeAsync(5);
    expect(rounds).toHaveLength(1);
    waiting.push(coalescer.submit(4));
    await vi.advanceTimersByTimeAsync(0);
    expect(rounds.map((round) => round.parts)).toEqual([[1], [2, 3, 4]]);
    rounds[1]!.finish();
    await expect(Promise.all(waiting)).resolves.toEqual(['stored 2', 'stored 3', 'stored 4']);
  });

  it('starts the next round as soon as a round that outlasted the window ends', async () => {
    fakeClock();
    const { coalescer, rounds } = controlledRounds({ windowMs: 10, maxParts: 4 });
    const first = coalescer.submit(1);
    await vi.advanceTimersByTimeAsync(0);
    const later = coalescer.submit(2);
    await vi.advanceTimersByTimeAsync(25);
    expect(rounds).toHaveLength(1);
    rounds[0]!.finish();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    expect(rounds.map((round) => round.parts)).toEqual([[1], [2]]);
    rounds[1]!.finish();
    await expect(later).resolves.toBe('stored 2');
  });
});
