import { describe, expect, it } from 'vitest';
import { containsPattern, escapeLikePattern, prefixPattern } from './like-pattern.js';

describe('LIKE patterns', () => {
  it('escapes the wildcards and the escape character itself', () => {
    expect(escapeLikePattern('100%_off\\now')).toBe('100\\%\\_off\\\\now');
  });

  it('leaves ordinary text alone', () => {
    expect(escapeLikePattern('anna.smith@example.test')).toBe('anna.smith@example.test');
  });

  it('builds prefix and substring patterns around the escaped text', () => {
    expect(prefixPattern('a_b')).toBe('a\\_b%');
    expect(containsPattern('50%')).toBe('%50\\%%');
  });
});
