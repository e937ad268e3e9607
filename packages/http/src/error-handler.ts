import type { ErrorRequestHandler, RequestHandler } from 'express';
import { unavailableIfDatabaseOutage } from './database-guards.js';
import {
  AppError,
  httpStatusOf,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  toAppError,
  toErrorBody,
  ValidationError,
} from '@parley/errors';

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError('No such endpoint'));
};

/**
 * The one place errors become HTTP responses: uniform body, no stack traces. A database outage
 * is a 503; what Express itself refuses (a body it cannot parse, a path parameter that is not
 * valid percent-encoding) is the client's error, never a 500.
 */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const appError = fromExpress(error) ?? toAppError(unavailableIfDatabaseOutage(error));
  if (appError.code === 'internal') {
    req.log?.error({ err: error }, 'unhandled error');
  }
  if (appError instanceof RateLimitedError) {
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(appError.retryAfterSeconds))));
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(httpStatusOf(appError.code)).json(toErrorBody(appError));
};

/**
 * body-parser reports its own failures with a `type`, the router a URIError with status 400;
 * give them our codes (their messages may quote the input, so they are not passed on).
 */
function fromExpress(error: unknown): AppError | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') return new PayloadTooLargeError();
  if (type === 'entity.parse.failed') return new ValidationError('The request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new ValidationError('The request body encoding is not supported');
  }
  if (error instanceof URIError) return new ValidationError('The request path is not valid percent-encoding');
  const status = (error as { status?: unknown } | null)?.status;
  if (error instanceof Error && !(error instanceof AppError) && typeof status === 'number' && status >= 400 && status < 500) return new ValidationError();
  return undefined;
}
