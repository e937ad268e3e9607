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
    ['the wrong shape', Buffer.from(JSON.stringify({ v: 1, after: 5 })).toString('base64url')],
    ['extra fields', Buffer.from(JSON.stringify({ v: 1, after: 'a', admin: true })).toString('base64url')],
    ['an empty position', Buffer.from(JSON.stringify({ v: 1, after: '' })).toString('base64url')],
    ['no version', Buffer.from(JSON.stringify({ after: 'a' })).toString('base64url')],
    ['another version', Buffer.from(JSON.stringify({ v: 2, after: 'a' })).toString('base64url')],
    ['a NUL in the position', Buffer.from(JSON.stringify({ v: 1, after: 'a\u0000' })).toString('base64url')],
    ['a position longer than any username', Buffer.from(JSON.stringify({ v: 1, after: 'a'.repeat(65) })).toString('base64url')],
  ])('rejects a cursor with %s as a validation error', (_kind, cursor) => {
    expect(() => decodeSearchCursor(cursor)).toThrow(ValidationError);
  });
});
