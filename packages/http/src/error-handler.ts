import type { ErrorRequestHandler, RequestHandler } from 'express';
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

/** The one place errors become HTTP responses: uniform body, no stack traces. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const appError = fromBodyParser(error) ?? toAppError(error);
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

/** body-parser reports its own failures with a `type`; give them our codes. */
function fromBodyParser(error: unknown): AppError | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') return new PayloadTooLargeError();
  if (type === 'entity.parse.failed') return new ValidationError('The request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new ValidationError('The request body encoding is not supported');
  }
  return undefined;
}
