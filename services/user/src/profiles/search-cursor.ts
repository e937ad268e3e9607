import { z } from 'zod';
import { ValidationError } from '@parley/errors';

/**
 * Search results are ordered by lower-cased username, which is unique, so the last one
 * returned is enough to resume. Clients treat the cursor as opaque (base64url JSON).
 */
const cursorPayloadSchema = z.strictObject({ after: z.string().min(1).max(64) });

export function encodeSearchCursor(lastUsernameLower: string): string {
  return Buffer.from(JSON.stringify({ after: lastUsernameLower }), 'utf8').toString('base64url');
}

/** The username the next page starts after; a 400 for anything this service did not issue. */
export function decodeSearchCursor(cursor: string): string {
  let payload: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = cursorPayloadSchema.safeParse(payload);
  if (!parsed.success) throw invalidCursor();
  return parsed.data.after;
}

function invalidCursor(): ValidationError {
  return new ValidationError('The query is invalid', [{ path: 'cursor', message: 'is not a cursor this endpoint issued' }]);
}
