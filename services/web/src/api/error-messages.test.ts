import { describe, expect, it } from 'vitest';
import { errorCodeSchema } from '@parley/contracts';
import { ApiError, apiErrorFromResponse, type ClientErrorCode } from './api-error';
import { describeError, describeSendFailure, fieldErrors, IN_CONTEXT, PLAIN_WORDS, type ErrorContext } from './error-messages';

const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const CLIENT_CODES: ClientErrorCode[] = [...errorCodeSchema.options, 'network', 'timeout', 'offline'];
const CONTEXTS = Object.keys(IN_CONTEXT) as ErrorContext[];

describe('turning error bodies into typed errors', () => {
  it('reads code, message and details from {error:{code,message,details}}', async () => {
    const error = await apiErrorFromResponse(
      jsonResponse(400, { error: { code: 'invalid', message: 'Invalid request', details: [{ path: 'username', message: 'must be at least 3 characters' }] } }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'invalid', status: 400, message: 'Invalid request' });
    expect(error.details).toEqual([{ path: 'username', message: 'must be at least 3 characters' }]);
  });

  it('keeps Retry-After of a 429', async () => {
    const error = await apiErrorFromResponse(jsonResponse(429, { error: { code: 'rate_limited', message: 'Too many' } }, { 'retry-after': '42' }));
    expect(error.retryAfterSeconds).toBe(42);
  });

  it('maps a body that is not the error model (a proxy page) by its status', async () => {
    const error = await apiErrorFromResponse(new Response('<html>Bad gateway</html>', { status: 502 }));
    expect(error.code).toBe('unavailable');
  });
});

describe('error messages for people', () => {
  it('has plain words for every error code, in every context, and never passes the server’s developer text on', () => {
    const developerText = 'Too small: expected string to have >=1 characters';
    for (const context of CONTEXTS) {
      for (const code of CLIENT_CODES) {
        const words = describeError(new ApiError(code, developerText, 400, [{ path: 'code', message: 'is incorrect; 4 attempt(s) left' }]), context);
        expect(words, `${context}/${code}`).toMatch(/^[A-Z].*[.!]$/);
        expect(words).not.toContain(developerText);
        expect(words).not.toMatch(/attempt\(s\)|expected|>=/);
      }
    }
    expect(Object.keys(PLAIN_WORDS).sort()).toEqual([...CLIENT_CODES].sort());
  });

  it('says how long to wait when rate limited', () => {
    expect(describeError(new ApiError('rate_limited', 'Too many', 429, [], 30))).toBe('Too many attempts. Try again in 30 s.');
    expect(describeError(new ApiError('rate_limited', 'Too many', 429, [], 300))).toBe('Too many attempts. Try again in 5 min.');
    expect(describeError(new ApiError('rate_limited', 'Too many', 429))).toMatch(/wait a moment/i);
  });

  it('words the same code by what the person was doing', () => {
    expect(describeError(new ApiError('unauthorized', 'Invalid credentials', 401), 'login')).toBe('Wrong username, email or password.');
    expect(describeError(new ApiError('invalid', 'The code is incorrect', 400), 'verify-email')).toMatch(/^That code did not work/);
    expect(describeError(new ApiError('conflict', 'username taken', 409), 'register')).toBe('That email address or username is already taken.');
    expect(describeError(new ApiError('not_found', 'This invite link does not work', 404), 'invite')).toMatch(/expired or was revoked/);
    expect(describeError(new ApiError('forbidden', 'Only owners and admins of the room can change its members', 403), 'room')).toBe(
      'Only the room’s owners and admins can do that.',
    );
  });

  it('gives each invalid field a plain hint, whatever the server said about it', () => {
    const error = new ApiError('invalid', 'Invalid request', 400, [
      { path: 'email', message: 'Invalid email address' },
      { path: 'password', message: 'Too small: expected string to have >=8 characters' },
      { path: 'password', message: 'second problem of the same field' },
      { path: 'mystery.deep', message: 'whatever' },
    ]);
    expect(fieldErrors(error.details)).toEqual({
      email: 'Enter a valid email address, like name@example.com.',
      password: 'Use at least 8 characters.',
      mystery: 'Check this field.',
    });
  });

  it('explains connection problems without blaming the person', () => {
    expect(describeError(new ApiError('network', 'x'))).toMatch(/Cannot reach Parley/);
    expect(describeError(new ApiError('internal', 'stack trace?'))).toBe('Something went wrong on our side. Try again.');
    expect(describeError(new Error('boom'))).toBe('Something went wrong. Try again.');
  });

  it('says why a message was not sent, for each ack error code', () => {
    expect(describeSendFailure(new ApiError('rate_limited', 'x'))).toMatch(/too fast/);
    expect(describeSendFailure(new ApiError('forbidden', 'x'))).toMatch(/cannot post in this room/);
    expect(describeSendFailure(new ApiError('not_found', 'x'))).toMatch(/no longer exists/);
    expect(describeSendFailure(new ApiError('timeout', 'x'))).toMatch(/No answer/);
    expect(describeSendFailure(new ApiError('invalid', 'Invalid', 0, [{ path: 'body', message: 'must not be empty' }]))).toMatch(/cannot be sent as it is/);
  });
});
