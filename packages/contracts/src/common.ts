import { z } from 'zod';
import { text } from './text.js';

export const userIdSchema = z.uuid();
export type UserId = z.infer<typeof userIdSchema>;

/**
 * Opaque pagination cursor handed back by list endpoints: base64url of a versioned structure
 * that the issuing service validates again (docs/decisions/opaque-cursors.md).
 */
export const cursorSchema = text()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor this endpoint issued');

/** Page size from a query string: plain digits only (no `0x10`, `1e3` or padding that `Number()` would take). */
export const limitSchema = (max: number, fallback: number) =>
  text()
    .regex(/^\d{1,6}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.int().min(1).max(max))
    .default(fallback);

export const pageInfoSchema = z.object({
  nextCursor: z.string().nullable(),
});
