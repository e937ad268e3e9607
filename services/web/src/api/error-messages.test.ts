import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFromResponse } from './api-error';
import { describeError, describeSendFailure, fieldErrors } from './error-messages';

const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

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
  it('says how long to wait when rate limited', () => {
    expect(describeError(new ApiError('rate_limited', 'Too many', 429, [], 30))).toBe('Too many attempts. Try again in 30 s.');
    expect(describeError(new ApiError('rate_limited', 'Too many', 429, [], 300))).toBe('Too many attempts. Try again in 5 min.');
    expect(describeError(new ApiError('rate_limited', 'Too many', 429))).toMatch(/wait a moment/i);
  });

  it('lists each invalid field with its problem', () => {
    const error = new ApiError('invalid', 'Invalid request', 400, [
      { path: 'email', message: 'must be a valid email address' },
      { path: 'password', message: 'must be at least 8 characters' },
    ]);
    expect(describeError(error)).toBe('Invalid request: email must be a valid email address; password must be at least 8 characters');
    expect(fieldErrors(error.details)).toEqual({ email: 'must be a valid email address', password: 'must be at least 8 characters' });
  });

  it('passes on the server’s forbidden message, with a fallback when there is none', () => {
    expect(describeError(new ApiError('forbidden', 'Only owners can remove members', 403))).toBe('Only owners can remove members');
    expect(describeError(new ApiError('forbidden', '', 403))).toBe('You are not allowed to do that.');
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
    expect(describeSendFailure(new ApiError('offline', 'x'))).toMatch(/offline/);
    expect(describeSendFailure(new ApiError('timeout', 'x'))).toMatch(/No answer/);
    expect(describeSendFailure(new ApiError('invalid', 'Invalid', 0, [{ path: 'body', message: 'must not be empty' }]))).toBe('body must not be empty');
  });
});
