import { text } from '@parley/contracts';
import { opaqueCursor } from '@parley/http';

/**
 * Search results are ordered by lower-cased username, which is unique, so the last one
 * returned is enough to resume. Clients treat the cursor as opaque.
 */
const searchCursor = opaqueCursor(1, { after: text().min(1).max(64) });

export function encodeSearchCursor(lastUsernameLower: string): string {
  return searchCursor.encode({ after: lastUsernameLower });
}

/** The username the next page starts after; a 400 for anything this service did not issue. */
export function decodeSearchCursor(cursor: string): string {
  return searchCursor.decode(cursor).after;
}
