import { describe, expect, it } from 'vitest';
import { orderedPair, sameUser } from './user-pair.js';

describe('user pairs', () => {
  const low = '0f8e2a4c-1b2d-4e3f-8a9b-0c1d2e3f4a5b';
  const high = 'a0b1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d';

  it('orders a pair the same way whoever comes first', () => {
    expect(orderedPair(high, low)).toEqual([low, high]);
    expect(orderedPair(low, high)).toEqual([low, high]);
  });

  it('compares ids case-insensitively, like PostgreSQL uuids', () => {
    expect(orderedPair(high.toUpperCase(), low)).toEqual([low, high]);
    expect(sameUser(low, low.toUpperCase())).toBe(true);
    expect(sameUser(low, high)).toBe(false);
  });
});
