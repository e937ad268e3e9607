import { describe, expect, it } from 'vitest';
import { reactorSummary } from './reactor-names';

const NAMES: Record<string, string> = { a: 'Ana', b: 'Ben', c: 'Cy', d: 'Dee', e: 'Eve' };
const nameOf = (id: string) => NAMES[id] ?? 'someone';

describe('who reacted, as said on a reaction chip', () => {
  it('names one, two or three people in full', () => {
    expect(reactorSummary(['a'], 1, nameOf)).toBe('Ana');
    expect(reactorSummary(['a', 'b'], 2, nameOf)).toBe('Ana and Ben');
    expect(reactorSummary(['a', 'b', 'c'], 3, nameOf)).toBe('Ana, Ben and Cy');
  });

  it('names the first two and counts the others beyond three', () => {
    expect(reactorSummary(['a', 'b', 'c', 'd', 'e'], 5, nameOf)).toBe('Ana, Ben and 3 others');
    expect(reactorSummary(['a', 'b', 'c', 'd'], 4, nameOf)).toBe('Ana, Ben and 2 others');
  });

  it('keeps the total when the server sent fewer ids than reactions', () => {
    expect(reactorSummary(['a', 'b'], 3, nameOf)).toBe('Ana, Ben and 1 other');
    expect(reactorSummary(['a'], 7, nameOf)).toBe('Ana and 6 others');
    expect(reactorSummary([], 1, nameOf)).toBe('1 person');
    expect(reactorSummary([], 4, nameOf)).toBe('4 people');
  });

  it('trusts the ids when the count lags behind them', () => {
    expect(reactorSummary(['a', 'b'], 1, nameOf)).toBe('Ana and Ben');
  });

  it('uses whatever the name lookup says for people it does not know', () => {
    expect(reactorSummary(['a', 'zz'], 2, nameOf)).toBe('Ana and someone');
  });
});
