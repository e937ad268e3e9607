import type { ErrorDetail } from '@parley/contracts';
import { ApiError, type ClientErrorCode } from './api-error';

/**
 * The one place a failure becomes words for people. The server's own messages are written for
 * developers ("Too small: expected string to have >=1 characters") and are never shown: every
 * error code has a plain sentence, refined by what the person was doing, and every form field
 * a plain hint. The tests check that each code has words.
 */
export type ErrorContext =
  | 'general'
  | 'login'
  | 'register'
  | 'verify-email'
  | 'reset-password'
  | 'send-message'
  | 'profile'
  | 'people'
  | 'room'
  | 'room-settings'
  | 'invite'
  | 'account';

export const PLAIN_WORDS: Record<ClientErrorCode, string> = {
  invalid: 'Something you entered is not right. Check it and try again.',
  unauthorized: 'Your session has ended. Sign in again.',
  forbidden: 'You are not allowed to do that.',
  not_found: 'That is not there any more. It may have been deleted.',
  conflict: 'That was already done, or clashes with something that exists.',
  payload_too_large: 'That is too large to send.',
  unsupported_media_type: 'That kind of file cannot be sent.',
  rate_limited: 'You are doing that too often. Wait a moment and try again.',
  unavailable: 'Parley is temporarily unavailable. Try again in a moment.',
  internal: 'Something went wrong on our side. Try again.',
  network: 'Cannot reach Parley. Check your connection and try again.',
  offline: 'You are offline. Try again when the connection is back.',
  timeout: 'The server did not answer in time. Try again.',
};

const CODE_DID_NOT_WORK = 'That code did not work: it may be mistyped, expired, or replaced by a newer one. Check the newest email, or ask for a new code.';

export const IN_CONTEXT: Record<ErrorContext, Partial<Record<ClientErrorCode, string>>> = {
  general: {},
  login: { unauthorized: 'Wrong username, email or password.', invalid: 'Enter your username or email address and your password.' },
  register: { conflict: 'That email address or username is already taken.', invalid: 'Check the fields marked below.' },
  'verify-email': {
    invalid: CODE_DID_NOT_WORK,
    conflict: 'Your email address is already confirmed.',
    rate_limited: 'Codes were asked for too often. Wait a few minutes before asking for another.',
  },
  'reset-password': {
    invalid: 'That code did not work, or the new password is too short. Check both and try again.',
    rate_limited: 'Codes were asked for too often. Wait a few minutes before asking for another.',
  },
  'send-message': {
    forbidden: 'You cannot post in this room (you may have been removed, or blocked).',
    not_found: 'This room no longer exists.',
    invalid: 'This message cannot be sent as it is (empty or too long).',
    payload_too_large: 'This message is too long.',
    rate_limited: 'You are sending messages too fast. Wait a moment, then retry.',
    unauthorized: 'Your session expired. Retry once you are reconnected.',
    offline: 'You are offline. It will be sent when the connection is back.',
    timeout: 'No answer from the server. Retry to send it again.',
    unavailable: 'The chat service is unavailable right now. Retry in a moment.',
  },
  profile: { invalid: 'Check the fields marked below.', conflict: 'Someone else has that name already.' },
  people: {
    conflict: 'You are already friends, or a friend request between you is waiting.',
    forbidden: 'You cannot do that with this person (one of you may have blocked the other).',
    not_found: 'That person or request is not there any more.',
    invalid: 'Type at least one character to search.',
  },
  room: {
    forbidden: 'Only the room’s owners and admins can do that.',
    not_found: 'This room, or that member, is not there any more.',
    conflict: 'That was already done.',
  },
  'room-settings': {
    forbidden: 'Only the room’s owners and admins can change its settings; only owners choose admins.',
    invalid: 'Check the fields marked below.',
    not_found: 'This room is not there any more.',
  },
  account: {
    invalid: 'Check the fields marked below.',
    not_found: 'That session has already ended.',
    unauthorized: 'Your session has ended. Sign in again.',
  },
  invite: {
    not_found: 'This invite link does not work any more: it expired or was revoked. Ask for a new one.',
    invalid: 'This is not a complete invite link. Copy the whole link and try again.',
  },
};

/** One sentence a person can act on, for any failure, in the words of what they were doing. */
export function describeError(error: unknown, context: ErrorContext = 'general'): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  if (error.code === 'rate_limited' && error.retryAfterSeconds) return `Too many attempts. Try again in ${formatWait(error.retryAfterSeconds)}.`;
  return IN_CONTEXT[context][error.code] ?? PLAIN_WORDS[error.code];
}

/** Why a message was not sent, in the words shown under it. */
export function describeSendFailure(error: unknown): string {
  return describeError(error, 'send-message');
}

/** What each form field expects, said plainly (shown beside the field whatever rule it broke). */
export const FIELD_WORDS: Record<string, string> = {
  login: 'Enter your username or email address.',
  email: 'Enter a valid email address, like name@example.com.',
  username: 'Use 3–32 characters: lowercase letters, digits, “_” and “.”.',
  password: 'Use at least 8 characters.',
  newPassword: 'Use at least 8 characters.',
  currentPassword: 'Enter your current password.',
  code: 'Enter the 6-digit code from the email.',
  name: 'Give it a name of up to 100 characters.',
  displayName: 'Use up to 64 characters, or leave it empty.',
  bio: 'Use up to 500 characters, or leave it empty.',
  avatarUrl: 'Enter a web address starting with https://, or leave it empty.',
  topic: 'Use up to 300 characters, or leave it empty.',
  body: 'Write a message of up to 4,000 characters.',
  memberIds: 'Choose at most 200 members.',
  userId: 'Choose someone else.',
};

export function fieldWords(field: string): string {
  return FIELD_WORDS[field] ?? 'Check this field.';
}

/** Field → plain words, for forms that show each problem beside its input. */
export function fieldErrors(details: readonly ErrorDetail[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const detail of details) {
    const field = detail.path.split('.')[0] ?? '';
    if (field && !(field in fields)) fields[field] = fieldWords(field);
  }
  return fields;
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.ceil(seconds / 60)} min`;
}
