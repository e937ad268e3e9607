import { describe, expect, it } from 'vitest';
import { typingText } from './typing-text';

describe('typing text', () => {
  it('names one, two, three or many people typing', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['Ana'])).toBe('Ana is typing…');
    expect(typingText(['Ana', 'Ben'])).toBe('Ana and Ben are typing…');
    expect(typingText(['Ana', 'Ben', 'Cy'])).toBe('Ana, Ben and Cy are typing…');
    expect(typingText(['Ana', 'Ben', 'Cy', 'Di', 'Ed'])).toBe('Ana, Ben and 3 others are typing…');
  });
});
