import type { z } from 'zod';
import { validationErrorFrom } from '@parley/errors';

/**
 * Parses a request part against its contract, or throws a 400 with per-field details.
 * Returning the parsed value (rather than mutating req) keeps handlers typed end to end.
 */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, value: unknown, what = 'request'): z.infer<Schema> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationErrorFrom(result.error, `The ${what} is invalid`);
  return result.data;
}

export const parseBody = <Schema extends z.ZodType>(schema: Schema, body: unknown) => parseRequest(schema, body, 'request body');
export const parseQuery = <Schema extends z.ZodType>(schema: Schema, query: unknown) => parseRequest(schema, query, 'query');
export const parseParams = <Schema extends z.ZodType>(schema: Schema, params: unknown) => parseRequest(schema, params, 'path');
