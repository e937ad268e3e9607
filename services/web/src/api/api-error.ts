import { errorBodySchema, type ErrorCode, type ErrorDetail } from '@parley/contracts';

/** The server's stable codes, plus what can only happen on the client's side of the wire. */
export type ClientErrorCode = ErrorCode | 'network' | 'timeout' | 'offline';

/** Every failed API call or socket ack becomes one of these, so the UI switches on `code`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly status: number = 0,
    readonly details: ErrorDetail[] = [],
    /** From `Retry-After` on 429s, in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const FALLBACK_CODES: Record<number, ErrorCode> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
};

/** Reads `{error:{code,message,details}}`; anything else (a proxy's HTML page) still maps by status. */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(code, message, response.status, details ?? [], retryAfterSeconds);
  }
  const code = FALLBACK_CODES[response.status] ?? 'internal';
  return new ApiError(code, `The server answered ${response.status}`, response.status, [], retryAfterSeconds);
}

/** A socket ack `{ok:false, error}` as an ApiError. */
export function apiErrorFromAck(error: { code: ErrorCode; message: string; details?: ErrorDetail[] | undefined }): ApiError {
  return new ApiError(error.code, error.message, 0, error.details ?? []);
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
