import type { z } from 'zod';
import { fieldWords } from '../api/error-messages';

export type FieldErrors = Partial<Record<string, string>>;

/**
 * Validates form input with a contract schema: the parsed value, or one message per field, in
 * the plain words of api/error-messages.ts (never zod's own text).
 */
export function validateForm<T>(schema: z.ZodType<T>, input: unknown): { value: T; errors: null } | { value: null; errors: FieldErrors } {
  const result = schema.safeParse(input);
  if (result.success) return { value: result.data, errors: null };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= fieldWords(field);
  }
  return { value: null, errors };
}
