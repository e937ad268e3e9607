import { describe, expect, it } from 'vitest';
import { assessBalance, batchPauseMs, type BalanceMemory, decideRebalance, type PodConnections, type RebalancePolicy, shedBudget, splitIntoBatches } from './shed-plan.js';

const POLICY: RebalancePolicy = { maxImbalance: 1.25, windowMs: 120_000, maxShedPerMinute: 300, batchSize: 50, minExcess: 10 };
const pods = (...counts: number[]): PodConnections[] => counts.map((count, index) => ({ pod: `chat-socket-${index}`, count }));
const fresh: BalanceMemory = { recentSheds: [] };
const NOW = 1_000_000;

describe('assessBalance', () => {
  it.each([
    ['three equal pods', pods(100, 100, 100), { imbalanced: false, excess: 0 }],
    ['a busiest pod exactly at 1.25 × mean', pods(125, 87, 88), { imbalanced: false }],
    ['a scale-out: one hot pod and two new idle ones', pods(300, 0, 0), { imbalanced: true, excess: 200, busiest: { pod: 'chat-socket-0', count: 300 } }],
    ['a small absolute difference (below minExcess)', pods(9, 1, 2), { imbalanced: false }],
    ['a single pod', pods(500), { imbalanced: false }],
    ['ties broken by pod name', pods(50, 200, 200, 0), { busiest: { pod: 'chat-socket-1', count: 200 } }],
  ])('%s', (_name, input, expected) => {
    expect(assessBalance(input, POLICY)).toMatchObject(expected);
  });

  it('reports no pods as balanced', () => {
    expect(assessBalance([], POLICY)).toEqual({ mean: 0, excess: 0, imbalanced: false });
  });
});

describe('decideRebalance', () => {
  it('waits out the window before shedding', () => {
    const first = decideRebalance(pods(300, 0, 0), fresh, NOW, POLICY);
    expect(first.verdict).toEqual({ state: 'waiting', sinceMs: NOW });
    const later = decideRebalance(pods(300, 0, 0), first.memory, NOW + 119_999, POLICY);
    expect(later.verdict.state).toBe('waiting');
    const due = decideRebalance(pods(300, 0, 0), later.memory, NOW + 120_000, POLICY);
    expect(due.verdict).toEqual({ state: 'shed', order: { pod: 'chat-socket-0', count: 200, batches: [50, 50, 50, 50] } });
  });

  it('restarts the window when the imbalance goes away in between', () => {
    const first = decideRebalance(pods(300, 0, 0), fresh, NOW, POLICY);
    const calm = decideRebalance(pods(100, 100, 100), first.memory, NOW + 60_000, POLICY);
    expect(calm.verdict).toEqual({ state: 'balanced' });
    expect(calm.memory.imbalancedSinceMs).toBeUndefined();
    expect(decideRebalance(pods(300, 0, 0), calm.memory, NOW + 130_000, POLICY).verdict.state).toBe('waiting');
  });

  it('sheds no more than maxShedPerMinute in any 60 seconds', () => {
    let memory: BalanceMemory = { imbalancedSinceMs: NOW - 200_000, recentSheds: [] };
    let shed = 0;
    const first = decideRebalance(pods(2_000, 0, 0, 0), memory, NOW, POLICY);
    expect(first.verdict).toMatchObject({ state: 'shed', order: { count: 300 } });
    memory = first.memory;
    shed += 300;
    const soon = decideRebalance(pods(1_700, 100, 100, 100), memory, NOW + 30_000, POLICY);
    expect(soon.verdict).toEqual({ state: 'budget-exhausted' });
    const nextMinute = decideRebalance(pods(1_700, 100, 100, 100), soon.memory, NOW + 60_001, POLICY);
    expect(nextMinute.verdict).toMatchObject({ state: 'shed', order: { count: 300 } });
    shed += 300;
    expect(shed).toBe(600);
  });

  it('sheds what is left of the budget when part of it was used', () => {
    const memory: BalanceMemory = { imbalancedSinceMs: NOW - 200_000, recentSheds: [{ atMs: NOW - 10_000, count: 220 }] };
    expect(shedBudget(memory, NOW, POLICY)).toBe(80);
    expect(decideRebalance(pods(300, 0, 0), memory, NOW, POLICY).verdict).toEqual({ state: 'shed', order: { pod: 'chat-socket-0', count: 80, batches: [50, 30] } });
  });

  it('does nothing with fewer than two pods', () => {
    expect(decideRebalance(pods(900), { imbalancedSinceMs: NOW - 999_999, recentSheds: [] }, NOW, POLICY).verdict).toEqual({ state: 'too-few-pods' });
  });
});

describe('batches and jitter', () => {
  it.each([
    [0, 50, []],
    [50, 50, [50]],
    [51, 50, [50, 1]],
    [193, 40, [40, 40, 40, 40, 33]],
  ])('splits %i sockets into batches of %i', (count, size, expected) => {
    expect(splitIntoBatches(count, size)).toEqual(expected);
  });

  it('draws pauses between half and one and a half times the mean', () => {
    expect(batchPauseMs(2_000, () => 0)).toBe(1_000);
    expect(batchPauseMs(2_000, () => 0.999_999)).toBe(3_000);
    expect(batchPauseMs(2_000, () => 0.5)).toBe(2_000);
  });
});
