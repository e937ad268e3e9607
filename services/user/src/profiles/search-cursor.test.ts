import { describe, expect, it } from 'vitest';
import { ValidationError } from '@parley/errors';
import { decodeSearchCursor, encodeSearchCursor } from './search-cursor.js';

describe('search cursor', () => {
  it('round-trips the last username of a page as an opaque base64url string', () => {
    const cursor = encodeSearchCursor('anne_marie');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('anne_marie');
    expect(decodeSearchCursor(cursor)).toBe('anne_marie');
  });

  it.each([
    ['not base64url', 'abc+/='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['the wrong shape', Buffer.from(JSON.stringify({ after: 5 })).toString('base64url')],
    ['extra fields', Buffer.from(JSON.stringify({ after: 'a', admin: true })).toString('base64url')],
    ['an empty position', Buffer.from(JSON.stringify({ after: '' })).toString('base64url')],
  ])('rejects a cursor with %s as a validation error', (_kind, cursor) => {
    expect(() => decodeSearchCursor(cursor)).toThrow(ValidationError);
  });
});
