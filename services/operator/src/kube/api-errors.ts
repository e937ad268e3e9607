/** HTTP status of a failed API call (ApiException.code), or of a watch error; undefined for network errors. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof statusCode === 'number') return statusCode;
  return undefined;
}

export const isNotFound = (error: unknown) => statusCodeOf(error) === 404;
export const isConflict = (error: unknown) => statusCodeOf(error) === 409;

/** A short description for logs and status messages, without the response body's noise. */
export function describeApiError(error: unknown): string {
  const code = statusCodeOf(error);
  const body = (error as { body?: unknown } | null)?.body;
  let detail = error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') detail = parsed.message;
    } catch {
      // not JSON
    }
  } else if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    detail = (body as { message: string }).message;
  }
  return code !== undefined ? `HTTP ${code}: ${detail}` : detail;
}
