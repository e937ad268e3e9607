import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { mergeConditions } from './conditions.js';

describe('mergeConditions', () => {
  const t1 = new Date('2025-01-01T00:00:00.500Z');
  const t2 = new Date('2025-01-01T00:05:00Z');

  it('orders conditions, stamps the generation and sets lastTransitionTime on a change only', () => {
    const first = mergeConditions(undefined, [
      { type: 'Balanced', status: 'True', reason: 'Balanced', message: 'ok' },
      { type: 'Ready', status: 'False', reason: 'ComponentMissing', message: 'auth' },
    ], 1, t1);
    expect(first.map((condition) => condition.type)).toEqual(['Ready', 'Balanced']);
    expect(first[0]).toEqual({ type: 'Ready', status: 'False', reason: 'ComponentMissing', message: 'auth', observedGeneration: 1, lastTransitionTime: '2025-01-01T00:00:00Z' });
    const second = mergeConditions(first, [
      { type: 'Ready', status: 'True', reason: 'PlatformReady', message: 'ok' },
      { type: 'Balanced', status: 'True', reason: 'Balanced', message: 'still ok' },
    ], 2, t2);
    expect(second.find((condition) => condition.type === 'Ready')?.lastTransitionTime).toBe('2025-01-01T00:05:00Z');
    expect(second.find((condition) => condition.type === 'Balanced')).toMatchObject({ lastTransitionTime: '2025-01-01T00:00:00Z', observedGeneration: 2, message: 'still ok' });
  });
});

describe('canonicalJson', () => {
  it('ignores key order, as the API server reorders keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: [2, { x: 2, y: 1 }] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});
