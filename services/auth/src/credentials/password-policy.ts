import type { ErrorDetail } from '@parley/contracts';
import { COMMON_PASSWORDS } from './common-passwords.js';

const COMMON = new Set(COMMON_PASSWORDS.map((password) => password.toLowerCase()));

/** True when the password is on the common-passwords list (case-insensitive). */
export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.toLowerCase());
}

/**
 * Rules beyond the contract's length limits: returns the problems of `password` at `path`
 * (empty when acceptable), so they join the schema's per-field details in one 400.
 */
export function passwordProblems(password: unknown, path: string): ErrorDetail[] {
  if (typeof password !== 'string') return [];
  if (isCommonPassword(password)) {
    return [{ path, message: 'is too common; choose a password that is harder to guess' }];
  }
  return [];
}
