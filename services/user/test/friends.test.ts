import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { friendListSchema, friendRequestListSchema, friendRequestSchema } from '@parley/contracts';
import { startUserService, type TestUser, type UserServiceHarness } from './support/user-service-harness.js';

let service: UserServiceHarness;
let counter = 0;

beforeAll(async () => {
  service = await startUserService({}, 'friends');
});

afterAll(async () => {
  await service?.close();
});

const newUser = (name: string) => service.registerUser(`${name}_${(counter += 1)}`);
const sendRequest = (from: TestUser, to: { id: string }) =>
  service.request('POST', '/api/v1/users/me/friend-requests', { token: from.token, body: { userId: to.id } });
const answer = (user: TestUser, requestId: string, verb: 'accept' | 'reject') =>
  service.request('POST', `/api/v1/users/me/friend-requests/${requestId}/${verb}`, { token: user.token });
const requestsOf = async (user: TestUser, direction: 'incoming' | 'outgoing') => {
  const result = await service.request('GET', `/api/v1/users/me/friend-requests?direction=${direction}`, { token: user.token });
  expect(result.status).toBe(200);
  return friendRequestListSchema.parse(result.body).requests;
};
const friendsOf = async (user: TestUser) => {
  const result = await service.request('GET', '/api/v1/users/me/friends', { token: user.token });
  expect(result.status).toBe(200);
  return friendListSchema.parse(result.body).friends.map((friend) => friend.user.id);
};

describe('friend requests', () => {
  it('sends a pending request that shows as incoming for the recipient and outgoing for the sender', async () => {
    const [ada, ben] = [await newUser('ada'), await newUser('ben')];
    const sent = await sendRequest(ada, ben);
    expect(sent.status).toBe(201);
    const request = friendRequestSchema.parse(sent.body);
    expect(request).toMatchObject({ status: 'pending', fromUser: { id: ada.id }, toUser: { id: ben.id } });
    expect(sent.body.fromUser).not.toHaveProperty('email');

    expect((await requestsOf(ben, 'incoming')).map((r) => r.id)).toEqual([request.id]);
    expect((await requestsOf(ada, 'outgoing')).map((r) => r.id)).toEqual([request.id]);
    expect(await requestsOf(ada, 'incoming')).toEqual([]);
    expect(await requestsOf(ben, 'outgoing')).toEqual([]);
    // Incoming is the default direction.
    const byDefault = await service.request('GET', '/api/v1/users/me/friend-requests', { token: ben.token });
    expect(byDefault.body.requests.map((r: { id: string }) => r.id)).toEqual([request.id]);
  });

  it('refuses a second pending request in the same direction with 409', async () => {
    const [cid, dot] = [await newUser('cid'), await newUser('dot')];
    expect((await sendRequest(cid, dot)).status).toBe(201);
    const again = await sendRequest(cid, dot);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(await requestsOf(dot, 'incoming')).toHaveLength(1);
  });

  it('refuses requests to yourself, to unknown users and malformed ones', async () => {
    const eve = await newUser('eve');
    expect((await sendRequest(eve, eve)).status).toBe(400);
    const unknown = await sendRequest(eve, { id: randomUUID() });
    expect(unknown.status).toBe(404);
    for (const body of [{}, { userId: 'nope' }, { userId: randomUUID(), note: 'hi' }]) {
      const result = await service.request('POST', '/api/v1/users/me/friend-requests', { token: eve.token, body });
      expect(result.status).toBe(400);
    }
    const badDirection = await service.request('GET', '/api/v1/users/me/friend-requests?direction=sideways', { token: eve.token });
    expect(badDirection.status).toBe(400);
  });

  it('lets only the recipient accept, then both are friends', async () => {
    const [fay, gus, hal] = [await newUser('fay'), await newUser('gus'), await newUser('hal')];
    const { body: request } = await sendRequest(fay, gus);

    const bySender = await answer(fay, request.id, 'accept');
    expect(bySender.status).toBe(403);
    expect(bySender.body.error.code).toBe('forbidden');
    expect((await answer(hal, request.id, 'accept')).status).toBe(403);
    expect((await answer(hal, request.id, 'reject')).status).toBe(403);

    const accepted = await answer(gus, request.id, 'accept');
    expect(accepted.status).toBe(200);
    expect(friendRequestSchema.parse(accepted.body)).toMatchObject({ id: request.id, status: 'accepted' });

    expect(await friendsOf(fay)).toEqual([gus.id]);
    expect(await friendsOf(gus)).toEqual([fay.id]);
    expect(await friendsOf(hal)).toEqual([]);
    expect(await requestsOf(gus, 'incoming')).toEqual([]);
    expect(await requestsOf(fay, 'outgoing')).toEqual([]);
  });

  it('answers 409 to an answer on a request that is no longer pending, and 404 to an unknown one', async () => {
    const [ivy, jon] = [await newUser('ivy'), await newUser('jon')];
    const { body: request } = await sendRequest(ivy, jon);
    expect((await answer(jon, request.id, 'accept')).status).toBe(200);
    expect((await answer(jon, request.id, 'accept')).status).toBe(409);
    expect((await answer(jon, request.id, 'reject')).status).toBe(409);
    expect((await answer(jon, randomUUID(), 'accept')).status).toBe(404);
    expect((await answer(jon, 'not-an-id', 'accept')).status).toBe(400);
  });

  it('refuses a request between friends in either direction with 409', async () => {
    const [kim, lee] = [await newUser('kim'), await newUser('lee')];
    const { body: request } = await sendRequest(kim, lee);
    await answer(lee, request.id, 'accept');
    expect((await sendRequest(kim, lee)).status).toBe(409);
    expect((await sendRequest(lee, kim)).status).toBe(409);
  });

  it('rejecting leaves them strangers, and the sender may ask again later', async () => {
    const [max, ned] = [await newUser('max'), await newUser('ned')];
    const { body: request } = await sendRequest(max, ned);
    const rejected = await answer(ned, request.id, 'reject');
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ id: request.id, status: 'rejected' });
    expect(await friendsOf(max)).toEqual([]);
    expect(await requestsOf(ned, 'incoming')).toEqual([]);
    expect((await sendRequest(max, ned)).status).toBe(201);
  });

  it('accepts the pending request of the other user when they already asked', async () => {
    const [oli, pam] = [await newUser('oli'), await newUser('pam')];
    const { body: theirs } = await sendRequest(oli, pam);
    const mine = await sendRequest(pam, oli);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: theirs.id, status: 'accepted', fromUser: { id: oli.id }, toUser: { id: pam.id } });
    expect(await friendsOf(oli)).toEqual([pam.id]);
    expect(await friendsOf(pam)).toEqual([oli.id]);
    expect(await requestsOf(pam, 'incoming')).toEqual([]);
    expect(await requestsOf(pam, 'outgoing')).toEqual([]);
  });

  it('makes friends exactly once when two users ask each other at the same moment', async () => {
    const [quin, rex] = [await newUser('quin'), await newUser('rex')];
    const results = await Promise.all([sendRequest(quin, rex), sendRequest(rex, quin)]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 201]);
    expect(await friendsOf(quin)).toEqual([rex.id]);
    expect(await requestsOf(quin, 'incoming')).toEqual([]);
    expect(await requestsOf(rex, 'incoming')).toEqual([]);
  });
});

describe('friends', () => {
  it('lists friends by username with the date they became friends', async () => {
    const [sam, tia, uma] = [await newUser('sam'), await newUser('tia'), await newUser('uma')];
    for (const other of [uma, tia]) {
      const { body: request } = await sendRequest(sam, other);
      await answer(other, request.id, 'accept');
    }
    const result = await service.request('GET', '/api/v1/users/me/friends', { token: sam.token });
    const friends = friendListSchema.parse(result.body).friends;
    expect(friends.map((friend) => friend.user.username)).toEqual([tia.username, uma.username]);
    expect(Number.isNaN(Date.parse(friends[0]!.since))).toBe(false);
  });

  it('unfriends both sides, and answers 404 when they are not friends', async () => {
    const [val, wes] = [await newUser('val'), await newUser('wes')];
    const { body: request } = await sendRequest(val, wes);
    await answer(wes, request.id, 'accept');

    const removed = await service.request('DELETE', `/api/v1/users/me/friends/${val.id}`, { token: wes.token });
    expect(removed.status).toBe(204);
    expect(await friendsOf(val)).toEqual([]);
    expect(await friendsOf(wes)).toEqual([]);

    const again = await service.request('DELETE', `/api/v1/users/me/friends/${val.id}`, { token: wes.token });
    expect(again.status).toBe(404);
    const stranger = await service.request('DELETE', `/api/v1/users/me/friends/${randomUUID()}`, { token: wes.token });
    expect(stranger.status).toBe(404);
    const malformed = await service.request('DELETE', '/api/v1/users/me/friends/abc', { token: wes.token });
    expect(malformed.status).toBe(400);
    // They can become friends again.
    expect((await sendRequest(val, wes)).status).toBe(201);
  });

  it('requires authentication', async () => {
    expect((await service.request('GET', '/api/v1/users/me/friends')).status).toBe(401);
    expect((await service.request('POST', '/api/v1/users/me/friend-requests', { body: { userId: randomUUID() } })).status).toBe(401);
  });
});
