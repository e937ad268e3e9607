import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUserService, type HttpResult, type TestUser, type UserServiceHarness } from './support/user-service-harness.js';

/**
 * Control characters and crafted cursors used to reach PostgreSQL (which cannot store U+0000)
 * and come back as 500s. They are the client's error: 400 / `invalid`, and nothing changes.
 */
let service: UserServiceHarness;
let user: TestUser;

const cursorOf = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

function expectInvalid(result: HttpResult, what: string): void {
  expect(result.status, what).toBe(400);
  expect(result.body.error.code, what).toBe('invalid');
}

beforeAll(async () => {
  service = await startUserService({}, 'user_hostile');
  user = await service.registerUser('hostile_target', { displayName: 'Kept Name' });
});

afterAll(async () => {
  await service?.close();
});

describe('hostile input to the user service', () => {
  it.each(['a\u0000', '\u0000', 'an\u001bsi', 'tab\there'])('answers 400 to a search for %j', async (query) => {
    expectInvalid(await service.request('GET', `/api/v1/users?query=${encodeURIComponent(query)}`, { token: user.token }), query);
  });

  it.each([
    ['a NUL in the position', cursorOf({ v: 1, after: 'a\u0000' })],
    ['a NUL in an unversioned position', cursorOf({ after: 'a\u0000' })],
  ])('answers 400 to a search cursor with %s', async (_what, cursor) => {
    expectInvalid(await service.request('GET', `/api/v1/users?query=a&cursor=${cursor}`, { token: user.token }), cursor);
  });

  it('answers 400 to profile fields with control characters and keeps the profile as it was', async () => {
    for (const body of [
      { displayName: 'nul\u0000name' },
      { displayName: 'tab\tname' },
      { bio: 'bell\u0007' },
      { bio: 'half\udc00' },
      { avatarUrl: 'https://example.com/\u0000.png' },
      { avatarUrl: '\u000bhttps://example.com/a.png' },
    ]) {
      expectInvalid(await service.request('PATCH', '/api/v1/users/me', { token: user.token, body }), JSON.stringify(body));
    }
    const me = await service.request('GET', '/api/v1/users/me', { token: user.token });
    expect(me.body).toMatchObject({ displayName: 'Kept Name', bio: null, avatarUrl: null });
  });

  it('keeps line breaks in a bio', async () => {
    const updated = await service.request('PATCH', '/api/v1/users/me', { token: user.token, body: { bio: 'first line\n\tsecond line' } });
    expect(updated.status).toBe(200);
    expect(updated.body.bio).toBe('first line\n\tsecond line');
  });

  it('answers 400 to a provisioning call with a NUL in the username', async () => {
    const result = await service.internal('PUT', `/internal/v1/profiles/${crypto.randomUUID()}`, { username: 'nul\u0000', email: 'nul@example.test' });
    expectInvalid(result, 'provisioning');
  });
});
