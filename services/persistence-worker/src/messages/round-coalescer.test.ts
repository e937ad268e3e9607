import { describe, expect, it } from 'vitest';
import { RoundCoalescer, type PartResult } from './round-coalescer.js';

/** A round runner whose rounds end when the test says so. */
function controlledRounds() {
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
