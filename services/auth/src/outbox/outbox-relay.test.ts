import { describe, expect, it } from 'vitest';
import { outboxBackoffSeconds } from './outbox-relay.js';

describe('outboxBackoffSeconds', () => {
  it('doubles per failed attempt from one second, capped at ten minutes', () => {
    expect([1, 2, 3, 4, 5].map(outboxBackoffSeconds)).toEqual([1, 2, 4, 8, 16]);
    expect(outboxBackoffSeconds(30)).toBe(600);
  });
});
