import { z } from 'zod';

export const userIdSchema = z.uuid();
export type UserId = z.infer<typeof userIdSchema>;

/** Opaque pagination cursor handed back by list endpoints. */
export const cursorSchema = z.string().min(1).max(512);

export const limitSchema = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

export const pageInfoSchema = z.object({
  nextCursor: z.string().nullable(),
});
