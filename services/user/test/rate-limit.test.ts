import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUserService, type TestUser, type UserServiceHarness } from './support/user-service-harness.js';

let service: UserServiceHarness;

beforeAll(async () => {
  service = await startUserService({ FRIEND_REQUEST_LIMIT_PER_MINUTE: '2', WRITE_LIMIT_PER_MINUTE: '4' }, 'ratelimit');
});

afterAll(async () => {
  await service?.close();
});

const sendRequest = (from: TestUser, to: TestUser) =>
  service.request('POST', '/api/v1/users/me/friend-requests', { token: from.token, body: { userId: to.id } });

describe('rate limits', () => {
  it('answers 429 with Retry-After once a user sent too many friend requests, and only for that user', async () => {
    const spammer = await service.registerUser('spammer');
    const targets = await Promise.all(['t1', 't2', 't3'].map((name) => service.registerUser(name)));
    expect((await sendRequest(spammer, targets[0]!)).status).toBe(201);
    expect((await sendRequest(spammer, targets[1]!)).status).toBe(201);

    const limited = await sendRequest(spammer, targets[2]!);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    expect((await sendRequest(targets[2]!, spammer)).status).toBe(201);
  });

  it('limits all writes per user, but not reads', async () => {
    const editor = await service.registerUser('editor');
    for (let edit = 1; edit <= 4; edit += 1) {
      const result = await service.request('PATCH', '/api/v1/users/me', { token: editor.token, body: { bio: `edit ${edit}` } });
      expect(result.status).toBe(200);
    }
    const limited = await service.request('PATCH', '/api/v1/users/me', { token: editor.token, body: { bio: 'one more' } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).not.toBeNull();
    const blocked = await service.request('PUT', `/api/v1/users/me/blocks/${(await service.registerUser('victim')).id}`, {
      token: editor.token,
    });
    expect(blocked.status).toBe(429);

    const read = await service.request('GET', '/api/v1/users/me', { token: editor.token });
    expect(read.status).toBe(200);
    expect(read.body.bio).toBe('edit 4');
  });
});
