import type { ErrorDetail } from '@parley/contracts';
import { ApiError } from './api-error';

/** One sentence a person can act on, for any failure of an API call. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  switch (error.code) {
    case 'rate_limited':
      return error.retryAfterSeconds
        ? `Too many attempts. Try again in ${formatWait(error.retryAfterSeconds)}.`
        : 'You are doing that too often. Wait a moment and try again.';
    case 'invalid':
      return error.details.length > 0 ? `${error.message}: ${describeDetails(error.details)}` : error.message;
    case 'forbidden':
      return error.message || 'You are not allowed to do that.';
    case 'unauthorized':
      return error.message || 'Your session has expired. Sign in again.';
    case 'network':
      return 'Cannot reach Parley. Check your connection and try again.';
    case 'offline':
      return 'You are offline. Try again when the connection is back.';
    case 'timeout':
      return 'The server did not answer in time. Try again.';
    case 'unavailable':
      return 'Parley is temporarily unavailable. Try again in a moment.';
    case 'internal':
      return 'Something went wrong on our side. Try again.';
    default:
      return error.message;
  }
}

/** Why a message was not sent, in the words shown under it. */
export function describeSendFailure(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Not sent. Try again.';
  switch (error.code) {
    case 'rate_limited':
      return 'You are sending messages too fast. Wait a moment, then retry.';
    case 'forbidden':
      return 'You cannot post in this room (you may have been removed, or blocked).';
    case 'not_found':
      return 'This room no longer exists.';
    case 'invalid':
      return error.details.length > 0 ? describeDetails(error.details) : error.message;
    case 'payload_too_large':
      return 'This message is too long.';
    case 'unauthorized':
      return 'Your session expired. Retry once you are reconnected.';
    case 'offline':
      return 'You are offline. Retry when the connection is back.';
    case 'timeout':
      return 'No answer from the server. Retry to send it again.';
    case 'unavailable':
      return 'The chat service is unavailable right now. Retry in a moment.';
    default:
      return describeError(error);
  }
}

/** Field path → message, for forms that show each problem beside its input. */
export function fieldErrors(details: readonly ErrorDetail[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const detail of details) {
    const field = detail.path.split('.')[0] ?? '';
    if (field && !(field in fields)) fields[field] = detail.message;
  }
  return fields;
}

function describeDetails(details: readonly ErrorDetail[]): string {
  return details.map((detail) => (detail.path ? `${detail.path} ${detail.message}` : detail.message)).join('; ');
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.ceil(seconds / 60)} min`;
}
