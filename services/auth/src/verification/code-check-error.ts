import { ValidationError } from '@parley/errors';
import type { CodeCheck } from './one-time-codes.js';

/** The 400 for a code that did not work, saying why and what to do. */
export function codeCheckError(check: Exclude<CodeCheck, { status: 'ok' }>): ValidationError {
  switch (check.status) {
    case 'wrong':
      return new ValidationError('The code is incorrect', [
        { path: 'code', message: `is incorrect; ${check.attemptsLeft} attempt(s) left before it stops working` },
      ]);
    case 'exhausted':
      return new ValidationError('Too many wrong attempts: this code no longer works; request a new one', [
        { path: 'code', message: 'no longer works after too many wrong attempts' },
      ]);
    case 'missing':
      return new ValidationError('The code has expired or was already used; request a new one', [
        { path: 'code', message: 'has expired or was already used' },
      ]);
  }
}
