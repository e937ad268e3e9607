import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { subscribeWhenReady } from '@parley/redis';
import { blocksChangedChannel } from '@parley/keyspace';
import { TEST_REDIS_URL } from '@parley/testing';
import { startUserService, type TestUser, type UserServiceHarness } from './support/user-service-harness.js';

/** `DELETE /internal/v1/profiles/:id`: what the auth service's outbox asks once an account is deleted. */
describe('removing the profile of a deleted account', () => {
  let service: UserServiceHarness;
  let subscriber: Redis;
  const events: Array<{ userA: string; userB: string }> = [];
  let counter = 0;

  beforeAll(async () => {
    service = await startUserService({}, 'account_deletion');
    subscriber = new Redis(TEST_REDIS_URL);
    await subscribeWhenReady(subscriber, blocksChangedChannel(service.redisPrefix));
    subscriber.on('message', (_channel, message: string) => events.push(JSON.parse(message) as { userA: string; userB: string }));
  });
  afterAll(async () => {
    subscriber?.disconnect();
    await service?.close();
  });

  const newUser = (name: string) => service.registerUser(`${name}_${(counter += 1)}`);
  const as = (user: TestUser, method: string, path: string, body?: unknown) => service.request(method, path, { token: user.token, ...(body ? { body } : {}) });
  const befriend = async (a: TestUser, b: TestUser) => {
    const { body: request } = await as(a, 'POST', '/api/v1/users/me/friend-requests', { userId: b.id });
    expect((await as(b, 'POST', `/api/v1/users/me/friend-requests/${request.id}/accept`)).status).toBe(200);
  };

  it('removes the profile, its friendships, friend requests and blocks both ways, and says which blocks changed', async () => {
    const [gone, friend, asked, blocker, blocked] = [await newUser('gone'), await newUser('friend'), await newUser('asked'), await newUser('blocker'), await newUser('blocked')];
    await befriend(gone, friend);
    expect((await as(gone, 'POST', '/api/v1/users/me/friend-requests', { userId: asked.id })).status).toBe(201);
    expect((await as(blocker, 'PUT', `/api/v1/users/me/blocks/${gone.id}`)).status).toBe(204);
    expect((await as(gone, 'PUT', `/api/v1/users/me/blocks/${blocked.id}`)).status).toBe(204);
    // The two blocks' own events come on another connection than the answers: wait for them,
    // or one arriving late would count as the deletion's.
    await expect.poll(() => events.length).toBe(2);
    events.length = 0;

    expect((await service.internal('DELETE', `/internal/v1/profiles/${gone.id}`)).status).toBe(204);

    expect((await as(friend, 'GET', `/api/v1/users/${gone.id}`)).status).toBe(404);
    expect((await as(friend, 'GET', '/api/v1/users/me/friends')).body.friends).toEqual([]);
    expect((await as(asked, 'GET', '/api/v1/users/me/friend-requests?direction=incoming')).body.requests).toEqual([]);
    expect((await as(blocker, 'GET', '/api/v1/users/me/blocks')).body.blocks).toEqual([]);
    expect((await service.internal('GET', `/internal/v1/blocks?userA=${blocked.id}&userB=${gone.id}`)).body).toEqual({ blocked: false });
    const search = await as(friend, 'GET', `/api/v1/users?query=${gone.username}`);
    expect(search.body.users).toEqual([]);
    await expect.poll(() => events.length).toBe(2);
    expect(events.map((event) => event.userB).sort()).toEqual([blocker.id, blocked.id].sort());
    // Everyone else is as they were.
    expect((await as(friend, 'GET', '/api/v1/users/me')).status).toBe(200);
  });

  it('is idempotent (the outbox may deliver twice) and refuses callers without the service token or with a malformed id', async () => {
    const gone = await newUser('twice');
    expect((await service.internal('DELETE', `/internal/v1/profiles/${gone.id}`)).status).toBe(204);
    expect((await service.internal('DELETE', `/internal/v1/profiles/${gone.id}`)).status).toBe(204);
    expect((await service.internal('DELETE', '/internal/v1/profiles/not-a-uuid')).body.error.code).toBe('invalid');

    const victim = await newUser('victim');
    const anonymous = await service.request('DELETE', `/internal/v1/profiles/${victim.id}`);
    expect([401, 403]).toContain(anonymous.status);
    // A user's own token is no service token either.
    expect([401, 403]).toContain((await as(victim, 'DELETE', `/internal/v1/profiles/${victim.id}`)).status);
    expect((await as(victim, 'GET', '/api/v1/users/me')).status).toBe(200);
  });
});
