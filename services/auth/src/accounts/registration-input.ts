import { registerRequestSchema, type ErrorDetail, type RegisterRequest } from '@parley/contracts';
import { ValidationError, zodDetails } from '@parley/errors';
import { passwordProblems } from '../credentials/password-policy.js';

/**
 * The register body against its contract plus the common-password rule, all problems in
 * one 400 with per-field details.
 */
export function parseRegistration(body: unknown): RegisterRequest {
  const result = registerRequestSchema.safeParse(body ?? {});
  const details: ErrorDetail[] = result.success ? [] : zodDetails(result.error);
  if (!details.some((detail) => detail.path === 'password')) {
    const password = typeof body === 'object' && body !== null ? (body as { password?: unknown }).password : undefined;
    details.push(...passwordProblems(password, 'password'));
  }
  if (!result.success || details.length > 0) throw new ValidationError('The request body is invalid', details);
  return result.data;
}
