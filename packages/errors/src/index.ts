export {
  AppError,
  ValidationError,
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  RateLimitedError,
  UnavailableError,
} from './app-error.js';
export {
  httpStatusOf,
  toAppError,
  toErrorBody,
  toAckError,
  zodDetails,
  validationErrorFrom,
} from './error-mapping.js';
