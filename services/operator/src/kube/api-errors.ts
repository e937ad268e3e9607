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

/**
 * An HTTP client that refuses a malformed header value quotes it in its error: node-fetch's
 * `Bearer <token> is not a legal HTTP header value`, undici's `"Bearer <token>" is an invalid
 * header value`. A token file with a stray newline or control character would then put the
 * credential in logs and ChatPlatform status. Everything after the scheme word is dropped up to
 * the client's own wording (or the end), since the token itself may hold spaces or newlines.
 */
const CREDENTIAL = /\b(Bearer|Basic)\s[\s\S]*?(?="? is (?:not a legal|an invalid) HTTP header value|"? is an invalid header value|$)/gi;

export function redactCredentials(text: string): string {
  return text.replace(CREDENTIAL, '$1 [redacted]');
}

/** The message of any thrown value, credentials redacted. */
export function errorMessageOf(error: unknown): string {
  return redactCredentials(error instanceof Error ? error.message : String(error));
}

/** A short description for logs and status messages, without the response body's noise. */
export function describeApiError(error: unknown): string {
  const code = statusCodeOf(error);
  const body = (error as { body?: unknown } | null)?.body;
  // Redact before cutting to the first line: a token ending in a newline would otherwise survive.
  const message = errorMessageOf(error);
  let detail = message.split('\n')[0] ?? message;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') detail = redactCredentials(parsed.message);
    } catch {
      // not JSON
    }
  } else if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    detail = redactCredentials((body as { message: string }).message);
  }
  return code !== undefined ? `HTTP ${code}: ${detail}` : detail;
}
