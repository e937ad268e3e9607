import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { subscribeWhenReady } from '@parley/redis';
import { blockCheckResponseSchema, blockedIdsResponseSchema, blockListSchema, blocksChangedEventSchema } from '@parley/contracts';
import { blocksChangedChannel } from '@parley/keyspace';
import { TEST_REDIS_URL } from '@parley/testing';
import { startUserService, type TestUser, type UserServiceHarness } from './support/user-service-harness.js';

let service: UserServiceHarness;
let counter = 0;

beforeAll(async () => {
  service = await startUserService({}, 'blocks');
});

afterAll(async () => {
  await service?.close();
});

const newUser = (name: string) => service.registerUser(`${name}_${(counter += 1)}`);
const block = (user: TestUser, target: { id: string }) =>
  service.request('PUT', `/api/v1/users/me/blocks/${target.id}`, { token: user.token });
const unblock = (user: TestUser, target: { id: string }) =>
  service.request('DELETE', `/api/v1/users/me/blocks/${target.id}`, { token: user.token });
const sendRequest = (from: TestUser, to: TestUser) =>
  service.request('POST', '/api/v1/users/me/friend-requests', { token: from.token, body: { userId: to.id } });
const befriend = async (a: TestUser, b: TestUser) => {
  const { body: request } = await sendRequest(a, b);
  const accepted = await service.request('POST', `/api/v1/users/me/friend-requests/${request.id}/accept`, { token: b.token });
  expect(accepted.status).toBe(200);
};
const friendsOf = async (user: TestUser) =>
  (await service.request('GET', '/api/v1/users/me/friends', { token: user.token })).body.friends.map(
    (friend: { user: { id: string } }) => friend.user.id,
  );
const searchFor = async (user: TestUser, target: TestUser) =>
  (await service.request('GET', `/api/v1/users?query=${target.username}`, { token: user.token })).body.users.map(
    (found: { id: string }) => found.id,
  );
const blockCheck = async (userA: string, userB: string) => {
  const result = await service.internal('GET', `/internal/v1/blocks?userA=${userA}&userB=${userB}`);
  expect(result.status).toBe(200);
  return blockCheckResponseSchema.parse(result.body).blocked;
};

describe('blocking', () => {
  it('ends a friendship', async () => {
    const [amy, bo] = [await newUser('amy'), await newUser('bo')];
    await befriend(amy, bo);
    expect(await friendsOf(bo)).toEqual([amy.id]);
    expect((await block(bo, amy)).status).toBe(204);
    expect(await friendsOf(amy)).toEqual([]);
    expect(await friendsOf(bo)).toEqual([]);
  });

  it('cancels pending requests both ways', async () => {
    const [cy, di, ed] = [await newUser('cy'), await newUser('di'), await newUser('ed')];
    const { body: toDi } = await sendRequest(cy, di);
    const { body: fromEd } = await sendRequest(ed, cy);
    expect((await block(cy, di)).status).toBe(204);
    expect((await block(cy, ed)).status).toBe(204);

    const incoming = await service.request('GET', '/api/v1/users/me/friend-requests?direction=incoming', { token: di.token });
    expect(incoming.body.requests).toEqual([]);
    const outgoing = await service.request('GET', '/api/v1/users/me/friend-requests?direction=outgoing', { token: ed.token });
    expect(outgoing.body.requests).toEqual([]);

    const lateAccept = await service.request('POST', `/api/v1/users/me/friend-requests/${toDi.id}/accept`, { token: di.token });
    expect(lateAccept.status).toBe(409);
    const lateAcceptByBlocker = await service.request('POST', `/api/v1/users/me/friend-requests/${fromEd.id}/accept`, {
      token: cy.token,
    });
    expect(lateAcceptByBlocker.status).toBe(409);
    expect(await friendsOf(cy)).toEqual([]);
  });

  it('refuses new friend requests both ways with 403', async () => {
    const [fe, gil] = [await newUser('fe'), await newUser('gil')];
    await block(fe, gil);
    const fromBlocker = await sendRequest(fe, gil);
    expect(fromBlocker.status).toBe(403);
    expect(fromBlocker.body.error.code).toBe('forbidden');
    expect((await sendRequest(gil, fe)).status).toBe(403);
  });

  it('hides each user from the other in search, but not from anyone else', async () => {
    const [hu, io, jo] = [await newUser('hu'), await newUser('io'), await newUser('jo')];
    expect(await searchFor(hu, io)).toEqual([io.id]);
    await block(hu, io);
    expect(await searchFor(hu, io)).toEqual([]);
    expect(await searchFor(io, hu)).toEqual([]);
    expect(await searchFor(jo, hu)).toEqual([hu.id]);
    expect(await searchFor(jo, io)).toEqual([io.id]);
  });

  it('keeps profiles visible to each other (a block only hides from search)', async () => {
    const [ka, lu] = [await newUser('ka'), await newUser('lu')];
    await block(ka, lu);
    expect((await service.request('GET', `/api/v1/users/${lu.id}`, { token: ka.token })).status).toBe(200);
    expect((await service.request('GET', `/api/v1/users/${ka.id}`, { token: lu.token })).status).toBe(200);
  });

  it('is idempotent and listed once, for the blocker only', async () => {
    const [mo, nu] = [await newUser('mo'), await newUser('nu')];
    expect((await block(mo, nu)).status).toBe(204);
    expect((await block(mo, nu)).status).toBe(204);
    const list = await service.request('GET', '/api/v1/users/me/blocks', { token: mo.token });
    expect(list.status).toBe(200);
    const blocks = blockListSchema.parse(list.body).blocks;
    expect(blocks.map((entry) => entry.user.id)).toEqual([nu.id]);
    expect(list.body.blocks[0].user).not.toHaveProperty('email');
    const theirs = await service.request('GET', '/api/v1/users/me/blocks', { token: nu.token });
    expect(theirs.body.blocks).toEqual([]);
  });

  it('refuses to block yourself, unknown users and malformed ids', async () => {
    const oz = await newUser('oz');
    expect((await block(oz, oz)).status).toBe(400);
    expect((await block(oz, { id: randomUUID() })).status).toBe(404);
    expect((await block(oz, { id: 'someone' })).status).toBe(400);
  });

  it('lifting a block restores search and requests, but not the ended friendship', async () => {
    const [pi, qi] = [await newUser('pi'), await newUser('qi')];
    await befriend(pi, qi);
    await block(pi, qi);
    expect((await unblock(pi, qi)).status).toBe(204);
    expect((await unblock(pi, qi)).status).toBe(204);
    expect(await searchFor(qi, pi)).toEqual([pi.id]);
    expect(await friendsOf(pi)).toEqual([]);
    expect((await sendRequest(qi, pi)).status).toBe(201);
    const list = await service.request('GET', '/api/v1/users/me/blocks', { token: pi.token });
    expect(list.body.blocks).toEqual([]);
  });

  it('stays in force while the other side also blocks, until both lift it', async () => {
    const [ra, si] = [await newUser('ra'), await newUser('si')];
    await block(ra, si);
    await block(si, ra);
    await unblock(ra, si);
    expect((await sendRequest(ra, si)).status).toBe(403);
    expect(await searchFor(ra, si)).toEqual([]);
    await unblock(si, ra);
    expect((await sendRequest(ra, si)).status).toBe(201);
  });

  it('requires authentication', async () => {
    expect((await service.request('PUT', `/api/v1/users/me/blocks/${randomUUID()}`)).status).toBe(401);
    expect((await service.request('GET', '/api/v1/users/me/blocks')).status).toBe(401);
  });
});

describe('internal block check', () => {
  it('reports a block whichever user blocks and in either argument order', async () => {
    const [tu, ul, vi] = [await newUser('tu'), await newUser('ul'), await newUser('vi')];
    await block(tu, ul);
    expect(await blockCheck(tu.id, ul.id)).toBe(true);
    expect(await blockCheck(ul.id, tu.id)).toBe(true);
    expect(await blockCheck(tu.id, vi.id)).toBe(false);
    expect(await blockCheck(vi.id, ul.id)).toBe(false);
    expect(await blockCheck(tu.id, tu.id)).toBe(false);
    await unblock(tu, ul);
    expect(await blockCheck(ul.id, tu.id)).toBe(false);
  });

  it('validates its query', async () => {
    for (const query of ['', `userA=${randomUUID()}`, `userA=x&userB=${randomUUID()}`, `userA=${randomUUID()}&userB=${randomUUID()}&extra=1`]) {
      const result = await service.internal('GET', `/internal/v1/blocks?${query}`);
      expect(result.status).toBe(400);
    }
  });

  it('rejects a missing or wrong internal token', async () => {
    const path = `/internal/v1/blocks?userA=${randomUUID()}&userB=${randomUUID()}`;
    expect((await service.request('GET', path)).status).toBe(401);
    const wrong = await service.request('GET', path, { headers: { 'x-parley-internal-token': 'x'.repeat(30) } });
    expect(wrong.status).toBe(401);
    const user = await newUser('wu');
    const withUserToken = await service.request('GET', path, { token: user.token });
    expect(withUserToken.status).toBe(401);
  });
});

describe('block change events', () => {
  it('announces every block and unblock on the blocks-changed channel, so chat pods drop cached answers', async () => {
    const subscriber = new Redis(TEST_REDIS_URL);
    const events: unknown[] = [];
    try {
      subscriber.on('message', (_channel: string, raw: string) => events.push(blocksChangedEventSchema.parse(JSON.parse(raw))));
      await subscribeWhenReady(subscriber, blocksChangedChannel(service.redisPrefix));
      const [ivy, jon] = [await newUser('ivy'), await newUser('jon')];
      expect((await service.request('PUT', `/api/v1/users/me/blocks/${jon.id}`, { token: ivy.token })).status).toBe(204);
      expect((await service.request('DELETE', `/api/v1/users/me/blocks/${jon.id}`, { token: ivy.token })).status).toBe(204);
      for (let attempt = 0; attempt < 50 && events.length < 2; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(events).toEqual([
        { userA: ivy.id, userB: jon.id },
        { userA: ivy.id, userB: jon.id },
      ]);
    } finally {
      subscriber.disconnect();
    }
  });
});

describe('internal blocked ids', () => {
  it('lists everyone a user blocks or is blocked by (presence is hidden between them), with the service token only', async () => {
    const [kai, lee, max, ned] = [await newUser('kai'), await newUser('lee'), await newUser('max'), await newUser('ned')];
    await block(kai, lee);
    await block(max, kai);
    const listed = await service.internal('GET', `/internal/v1/users/${kai.id}/blocked-ids`);
    expect(listed.status).toBe(200);
    expect(blockedIdsResponseSchema.parse(listed.body).userIds.sort()).toEqual([lee.id, max.id].sort());
    expect((await service.internal('GET', `/internal/v1/users/${ned.id}/blocked-ids`)).body).toEqual({ userIds: [] });

    await unblock(kai, lee);
    expect((await service.internal('GET', `/internal/v1/users/${kai.id}/blocked-ids`)).body).toEqual({ userIds: [max.id] });
    expect((await service.request('GET', `/internal/v1/users/${kai.id}/blocked-ids`)).status).toBe(401);
  });
});
