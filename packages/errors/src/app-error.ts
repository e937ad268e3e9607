import type { ErrorCode, ErrorDetail } from '@parley/contracts';

/** Base class of every error meant to reach a client. Anything else is reported as `internal`. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message = 'The request is invalid', details?: ErrorDetail[]) {
    super('invalid', message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication is required') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super('forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('not_found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: ErrorDetail[]) {
    super('conflict', message, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'The request body is too large') {
    super('payload_too_large', message);
  }
}

/** The request's body is not of a kind this endpoint takes (an upload that cannot be decoded). */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message = 'This kind of content is not accepted here') {
    super('unsupported_media_type', message);
  }
}

export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests, try again later',
  ) {
    super('rate_limited', message);
  }
}

export class UnavailableError extends AppError {
  constructor(message = 'A dependency is unavailable, try again shortly') {
    super('unavailable', message);
  }
}
