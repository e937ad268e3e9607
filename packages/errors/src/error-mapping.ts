import type { ErrorBody, ErrorCode, ErrorDetail } from '@parley/contracts';
import type { ZodError } from 'zod';
import { AppError, ValidationError } from './app-error.js';

/** The one place error codes become HTTP statuses. */
const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** Any thrown value → an AppError that is safe to show; unknown errors never leak their message. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('internal', 'Something went wrong on our side');
}

export function toErrorBody(error: AppError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details && error.details.length > 0 ? { details: error.details } : {}),
    },
  };
}

/** Socket acks carry the same body as HTTP, plus `ok: false`. */
export function toAckError(error: unknown): { ok: false } & ErrorBody {
  return { ok: false, ...toErrorBody(toAppError(error)) };
}

export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

export function validationErrorFrom(error: ZodError, message = 'The request is invalid'): ValidationError {
  return new ValidationError(message, zodDetails(error));
}
