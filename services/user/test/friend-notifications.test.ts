import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { friendIdsResponseSchema, type NotificationJob } from '@parley/contracts';
import { openQueue } from '@parley/queues';
import { TEST_REDIS_URL } from '@parley/testing';
import { startUserService, type TestUser, type UserServiceHarness } from './support/user-service-harness.js';

let service: UserServiceHarness;
let notifications: Queue<NotificationJob>;
let counter = 0;

beforeAll(async () => {
  service = await startUserService({}, 'friend_notify');
  notifications = openQueue('notifications', { connection: { url: TEST_REDIS_URL }, installPrefix: service.redisPrefix });
});

afterAll(async () => {
  await notifications?.close();
  await service?.close();
});

const newUser = (name: string) => service.registerUser(`${name}_${(counter += 1)}`);
const befriend = async (a: TestUser, b: TestUser) => {
  const sent = await service.request('POST', '/api/v1/users/me/friend-requests', { token: a.token, body: { userId: b.id } });
  await service.request('POST', `/api/v1/users/me/friend-requests/${sent.body.id}/accept`, { token: b.token });
};

describe('friend request notifications', () => {
  it('queues one notification job for the recipient of a new friend request', async () => {
    const [ann, bob] = [await newUser('ann'), await newUser('bob')];
    const sent = await service.request('POST', '/api/v1/users/me/friend-requests', { token: ann.token, body: { userId: bob.id } });
    expect(sent.status).toBe(201);
    const job = await notifications.getJob(`friend-request-${sent.body.id}`);
    expect(job?.data).toEqual({ kind: 'friend_request', requestId: sent.body.id, fromUserId: ann.id, toUserId: bob.id });
  });

  it('queues nothing when the request only accepts the other user’s pending one', async () => {
    const [cat, dan] = [await newUser('cat'), await newUser('dan')];
    const first = await service.request('POST', '/api/v1/users/me/friend-requests', { token: cat.token, body: { userId: dan.id } });
    const second = await service.request('POST', '/api/v1/users/me/friend-requests', { token: dan.token, body: { userId: cat.id } });
    expect(second.status).toBe(200);
    const jobs = await notifications.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    const forPair = jobs.filter((job) => job.data.kind === 'friend_request' && [cat.id, dan.id].includes(job.data.fromUserId));
    expect(forPair.map((job) => job.id)).toEqual([`friend-request-${first.body.id}`]);
  });
});

describe('friend request accepted notifications', () => {
  it('tells the sender when the recipient accepts, once, and nobody when the recipient rejects', async () => {
    const [hal, ivy, jo] = [await newUser('hal'), await newUser('ivy'), await newUser('jo')];
    const sent = await service.request('POST', '/api/v1/users/me/friend-requests', { token: hal.token, body: { userId: ivy.id } });
    expect((await service.request('POST', `/api/v1/users/me/friend-requests/${sent.body.id}/accept`, { token: ivy.token })).status).toBe(200);
    const job = await notifications.getJob(`friend-accepted-${sent.body.id}`);
    expect(job?.data).toEqual({ kind: 'friend_accepted', requestId: sent.body.id, fromUserId: ivy.id, toUserId: hal.id });

    const again = await service.request('POST', `/api/v1/users/me/friend-requests/${sent.body.id}/accept`, { token: ivy.token });
    expect(again.status).toBe(409);

    const refused = await service.request('POST', '/api/v1/users/me/friend-requests', { token: jo.token, body: { userId: ivy.id } });
    await service.request('POST', `/api/v1/users/me/friend-requests/${refused.body.id}/reject`, { token: ivy.token });
    expect(await notifications.getJob(`friend-accepted-${refused.body.id}`)).toBeUndefined();
  });

  it('tells the first asker when the other person answers by asking back', async () => {
    const [kim, lu] = [await newUser('kim'), await newUser('lu')];
    const first = await service.request('POST', '/api/v1/users/me/friend-requests', { token: kim.token, body: { userId: lu.id } });
    await service.request('POST', '/api/v1/users/me/friend-requests', { token: lu.token, body: { userId: kim.id } });
    const job = await notifications.getJob(`friend-accepted-${first.body.id}`);
    expect(job?.data).toMatchObject({ kind: 'friend_accepted', fromUserId: lu.id, toUserId: kim.id });
  });
});

describe('internal friend ids', () => {
  it('lists a user’s friends for presence fan-out, with the service token only', async () => {
    const [eve, fay, gus] = [await newUser('eve'), await newUser('fay'), await newUser('gus')];
    await befriend(eve, fay);
    await befriend(gus, eve);
    const listed = await service.internal('GET', `/internal/v1/users/${eve.id}/friend-ids`);
    expect(listed.status).toBe(200);
    expect(friendIdsResponseSchema.parse(listed.body).friendIds.sort()).toEqual([fay.id, gus.id].sort());

    const withoutToken = await service.request('GET', `/internal/v1/users/${eve.id}/friend-ids`);
    expect(withoutToken.status).toBe(401);
    const malformed = await service.internal('GET', '/internal/v1/users/not-a-uuid/friend-ids');
    expect(malformed.status).toBe(400);
  });
});
