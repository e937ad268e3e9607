import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomEvent } from '@parley/contracts';
import { collect, eventually, nextEvent, startChatCluster, type ChatCluster, type TestUser } from './support/chat-cluster.js';

let cluster: ChatCluster;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_room_settings' });
});

afterAll(async () => {
  await cluster?.close();
});

async function group(owner: TestUser, members: TestUser[], extra: Record<string, unknown> = {}): Promise<string> {
  const created = await cluster.api(0, 'POST', '/api/v1/rooms', { token: owner.token, body: { name: 'Team', memberIds: members.map((m) => m.id), ...extra } });
  expect(created.status).toBe(201);
  return created.body.id;
}

const timeline = async (viewer: TestUser, roomId: string) => {
  const page = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/events`, { token: viewer.token });
  expect(page.status).toBe(200);
  return (page.body.events as RoomEvent[]).map((event) => [event.kind, event.actorId, event.userId, event.data]);
};

describe('room settings', () => {
  it('lets owners and admins rename a group and set its topic and picture, announced live and kept in the timeline', async () => {
    const [owner, member] = [await cluster.user('owner'), await cluster.user('member')];
    const roomId = await group(owner, [member]);
    const memberSocket = await cluster.connect(1, member);
    const updated = nextEvent(memberSocket, 'room:updated');
    const lines = collect<RoomEvent>(memberSocket, 'room:event');

    const patch = await cluster.api(0, 'PATCH', `/api/v1/rooms/${roomId}`, {
      token: owner.token,
      body: { name: 'Renamed', topic: '  Plans for May  ', avatarUrl: 'https://example.com/room.png' },
    });
    expect(patch.status).toBe(200);
    expect(patch.body).toEqual({ id: roomId, name: 'Renamed', topic: 'Plans for May', avatarUrl: 'https://example.com/room.png' });
    expect(await updated).toEqual(patch.body);
    await eventually(() => expect(lines.map((line) => line.kind)).toEqual(['renamed', 'topic-changed', 'avatar-changed']));

    const listed = (await cluster.api(1, 'GET', '/api/v1/rooms', { token: member.token })).body.rooms.find((room: { id: string }) => room.id === roomId);
    expect(listed).toMatchObject({ name: 'Renamed', topic: 'Plans for May', avatarUrl: 'https://example.com/room.png', muted: false });

    // An empty topic clears it; a field left out stays as it was.
    expect((await cluster.api(0, 'PATCH', `/api/v1/rooms/${roomId}`, { token: owner.token, body: { topic: '' } })).body).toMatchObject({ name: 'Renamed', topic: null });
    expect(await timeline(member, roomId)).toEqual([
      ['created', owner.id, null, { name: 'Team' }],
      ['added', owner.id, member.id, null],
      ['renamed', owner.id, null, { name: 'Renamed' }],
      ['topic-changed', owner.id, null, { topic: 'Plans for May' }],
      ['avatar-changed', owner.id, null, null],
      ['topic-changed', owner.id, null, { topic: null }],
    ]);
  });

  it('refuses settings changes from plain members (403), outsiders (403), for direct rooms (403) and with bad input (400, nothing changed)', async () => {
    const [owner, member, outsider] = [await cluster.user('owner'), await cluster.user('member'), await cluster.user('outsider')];
    const roomId = await group(owner, [member]);
    const patch = (user: TestUser, body: unknown, id = roomId) => cluster.api(0, 'PATCH', `/api/v1/rooms/${id}`, { token: user.token, body });
    expect((await patch(member, { name: 'Mine now' })).status).toBe(403);
    expect((await patch(outsider, { name: 'Mine now' })).status).toBe(403);
    for (const bad of [{}, { name: '' }, { name: 'x'.repeat(101) }, { topic: 'x'.repeat(301) }, { avatarUrl: 'javascript:alert(1)' }, { name: 'ok', owner: member.id }, { name: 42 }]) {
      const refused = await patch(owner, bad);
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(refused.body.error.code).toBe('invalid');
    }
    const direct = (await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: owner.token, body: { userId: member.id } })).body.id;
    expect((await patch(owner, { name: 'Direct' }, direct)).status).toBe(403);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/events`, { token: outsider.token })).status).toBe(403);
    const room = (await cluster.api(0, 'GET', '/api/v1/rooms', { token: owner.token })).body.rooms.find((r: { id: string }) => r.id === roomId);
    expect(room.name).toBe('Team');
  });

  it('lets only owners make members admins (who may then manage members) and back, announced to the room', async () => {
    const [owner, ann, bob, cid] = [await cluster.user('owner'), await cluster.user('ann'), await cluster.user('bob'), await cluster.user('cid')];
    const roomId = await group(owner, [ann, bob]);
    const bobSocket = await cluster.connect(1, bob);
    const role = (actor: TestUser, userId: string, value: string) =>
      cluster.api(0, 'PUT', `/api/v1/rooms/${roomId}/members/${userId}/role`, { token: actor.token, body: { role: value } });

    expect((await role(bob, ann.id, 'admin')).status).toBe(403);
    const announced = nextEvent(bobSocket, 'room:member-role');
    expect((await role(owner, ann.id, 'admin')).status).toBe(204);
    expect(await announced).toEqual({ roomId, userId: ann.id, role: 'admin' });
    // An admin manages members but cannot make admins.
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/members`, { token: ann.token, body: { userIds: [cid.id] } })).status).toBe(200);
    expect((await role(ann, bob.id, 'admin')).status).toBe(403);
    expect((await role(owner, owner.id, 'member')).status).toBe(403);
    expect((await role(owner, ann.id, 'owner')).status).toBe(400);
    expect((await role(owner, (await cluster.user('nobody')).id, 'admin')).status).toBe(404);
    expect((await role(owner, ann.id, 'member')).status).toBe(204);
    const members = (await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/members`, { token: owner.token })).body.members;
    expect(members.find((m: { userId: string }) => m.userId === ann.id).role).toBe('member');
    expect((await timeline(owner, roomId)).filter(([kind]) => kind === 'role-changed')).toEqual([
      ['role-changed', owner.id, ann.id, { role: 'admin' }],
      ['role-changed', owner.id, ann.id, { role: 'member' }],
    ]);
  });

  it('keeps each member’s mute to themselves, across their tabs, and in the room list', async () => {
    const [owner, member] = [await cluster.user('owner'), await cluster.user('member')];
    const roomId = await group(owner, [member]);
    const [tab1, tab2, ownerSocket] = [await cluster.connect(0, member), await cluster.connect(1, member), await cluster.connect(0, owner)];
    const ownerHears = collect(ownerSocket, 'room:preferences');
    const otherTab = nextEvent(tab2, 'room:preferences');
    const muted = await cluster.api(0, 'PUT', `/api/v1/rooms/${roomId}/preferences`, { token: member.token, body: { muted: true } });
    expect(muted.body).toEqual({ roomId, muted: true });
    expect(await otherTab).toEqual({ roomId, muted: true });
    expect(tab1.connected).toBe(true);
    const mine = async (user: TestUser) => (await cluster.api(1, 'GET', '/api/v1/rooms', { token: user.token })).body.rooms.find((r: { id: string }) => r.id === roomId);
    expect((await mine(member)).muted).toBe(true);
    expect((await mine(owner)).muted).toBe(false);
    expect(ownerHears).toEqual([]);
    expect((await cluster.api(0, 'PUT', `/api/v1/rooms/${roomId}/preferences`, { token: (await cluster.user('x')).token, body: { muted: true } })).status).toBe(403);
    expect((await cluster.api(0, 'PUT', `/api/v1/rooms/${roomId}/preferences`, { token: member.token, body: { muted: 'yes' } })).status).toBe(400);
  });
});

describe('the timeline of a room', () => {
  it('records joins, additions, leaves and removals with who did them, live to the room and to whoever was removed', async () => {
    const [owner, ann, bob, cid] = [await cluster.user('owner'), await cluster.user('ann'), await cluster.user('bob'), await cluster.user('cid')];
    const roomId = await group(owner, [ann], { visibility: 'public' });
    const annSocket = await cluster.connect(1, ann);
    const annHears = collect<RoomEvent>(annSocket, 'room:event');

    await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/join`, { token: bob.token });
    await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/members`, { token: owner.token, body: { userIds: [cid.id] } });
    await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/leave`, { token: bob.token });
    await cluster.api(0, 'DELETE', `/api/v1/rooms/${roomId}/members/${ann.id}`, { token: owner.token });

    expect(await timeline(owner, roomId)).toEqual([
      ['created', owner.id, null, { name: 'Team' }],
      ['added', owner.id, ann.id, null],
      ['joined', bob.id, bob.id, null],
      ['added', owner.id, cid.id, null],
      ['left', bob.id, bob.id, null],
      ['removed', owner.id, ann.id, null],
    ]);
    // Ann heard everything up to her own removal, which reached her though she no longer hears the room.
    await eventually(() => expect(annHears.map((event) => event.kind)).toEqual(['joined', 'added', 'left', 'removed']));
    expect(annHears.at(-1)).toMatchObject({ userId: ann.id, actorId: owner.id });
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/events`, { token: ann.token })).status).toBe(403);
  });

  it('pages the timeline backwards and validates the query', async () => {
    const owner = await cluster.user('owner');
    const roomId = await group(owner, []);
    for (const name of ['one', 'two', 'three']) await cluster.api(0, 'PATCH', `/api/v1/rooms/${roomId}`, { token: owner.token, body: { name } });
    const latest = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/events?limit=2`, { token: owner.token });
    expect(latest.body.events.map((event: RoomEvent) => event.data?.name)).toEqual(['two', 'three']);
    expect(latest.body.hasMore).toBe(true);
    const older = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/events?limit=2&before=${latest.body.events[0].id}`, { token: owner.token });
    expect(older.body).toMatchObject({ hasMore: false });
    expect(older.body.events.map((event: RoomEvent) => event.kind)).toEqual(['created', 'renamed']);
    for (const query of ['limit=0', 'limit=1000', 'before=abc', 'other=1']) {
      expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/events?${query}`, { token: owner.token })).status, query).toBe(400);
    }
  });
});

describe('invite links', () => {
  it('lets anyone with a link join a private group, until it expires or is revoked; only owners and admins manage links', async () => {
    const [owner, member, guest, late] = [await cluster.user('owner'), await cluster.user('member'), await cluster.user('guest'), await cluster.user('late')];
    const roomId = await group(owner, [member]);
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/invites`, { token: member.token, body: {} })).status).toBe(403);
    const created = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/invites`, { token: owner.token, body: { expiresInHours: 2 } });
    expect(created.status).toBe(201);
    const { token, id: inviteId } = created.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(2 * 3_600_000 - 60_000);

    // Not a member: the join is refused without the link, previewed and accepted with it.
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/join`, { token: guest.token })).status).toBe(403);
    const preview = await cluster.api(1, 'GET', `/api/v1/rooms/invites/${token}`, { token: guest.token });
    expect(preview.body).toMatchObject({ room: { id: roomId, name: 'Team', memberCount: 2 }, alreadyMember: false });
    const guestSocket = await cluster.connect(0, guest);
    const roomNew = nextEvent(guestSocket, 'room:new');
    const joined = await cluster.api(1, 'POST', `/api/v1/rooms/invites/${token}/accept`, { token: guest.token });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ id: roomId, memberCount: 3 });
    expect((await roomNew).id).toBe(roomId);
    // Accepting again changes nothing.
    expect((await cluster.api(1, 'POST', `/api/v1/rooms/invites/${token}/accept`, { token: guest.token })).status).toBe(200);
    expect((await timeline(owner, roomId)).at(-1)).toEqual(['joined', guest.id, guest.id, null]);

    const listed = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/invites`, { token: owner.token });
    expect(listed.body.invites).toEqual([expect.objectContaining({ id: inviteId, uses: 1, revokedAt: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/invites`, { token: guest.token })).status).toBe(403);

    expect((await cluster.api(0, 'DELETE', `/api/v1/rooms/${roomId}/invites/${inviteId}`, { token: owner.token })).status).toBe(204);
    const revoked = await cluster.api(1, 'POST', `/api/v1/rooms/invites/${token}/accept`, { token: late.token });
    expect(revoked.status).toBe(404);
    expect(revoked.body.error.code).toBe('not_found');
    expect((await cluster.api(1, 'GET', `/api/v1/rooms/invites/${token}`, { token: late.token })).status).toBe(404);

    // An expired link (moved into the past here) does not work either.
    const second = (await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/invites`, { token: owner.token, body: {} })).body;
    await cluster.instances[0]!.chat.dataSource.query(`UPDATE chat.room_invites SET expires_at = now() - interval '1 second' WHERE id = $1`, [second.id]);
    expect((await cluster.api(1, 'POST', `/api/v1/rooms/invites/${second.token}/accept`, { token: late.token })).status).toBe(404);
    const lateRooms = (await cluster.api(0, 'GET', '/api/v1/rooms', { token: late.token })).body.rooms;
    expect(lateRooms).toEqual([]);
  });

  it('refuses links for public and direct rooms, made-up and malformed tokens, and requests without a token', async () => {
    const [owner, other] = [await cluster.user('owner'), await cluster.user('other')];
    const open = await group(owner, [], { visibility: 'public' });
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${open}/invites`, { token: owner.token, body: {} })).status).toBe(403);
    const direct = (await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: owner.token, body: { userId: other.id } })).body.id;
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${direct}/invites`, { token: owner.token, body: {} })).status).toBe(403);
    const closed = await group(owner, []);
    for (const body of [{ expiresInHours: 0 }, { expiresInHours: 24 * 31 }, { expiresInHours: 1.5 }, { uses: 3 }]) {
      expect((await cluster.api(0, 'POST', `/api/v1/rooms/${closed}/invites`, { token: owner.token, body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/invites/${'A'.repeat(43)}`, { token: other.token })).status).toBe(404);
    expect((await cluster.api(0, 'GET', '/api/v1/rooms/invites/short', { token: other.token })).status).toBe(400);
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/invites/${'A'.repeat(43)}/accept`)).status).toBe(401);
  });
});
