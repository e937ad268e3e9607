import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Message } from '@parley/contracts';
import { blocksChangedChannel } from '@parley/keyspace';
import { TEST_REDIS_URL } from '@parley/testing';
import { insertMessageBatch } from '@parley/chat-store';
import { collect, emitWithAck, eventually, nextEvent, pause, startChatCluster, INTERNAL_TOKEN, type ChatCluster, type TestUser } from './support/chat-cluster.js';

let cluster: ChatCluster;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_rooms' });
});

afterAll(async () => {
  await cluster?.close();
});

async function group(owner: TestUser, members: TestUser[], extra: Record<string, unknown> = {}) {
  const created = await cluster.api(0, 'POST', '/api/v1/rooms', {
    token: owner.token,
    body: { name: 'room', memberIds: members.map((m) => m.id), ...extra },
  });
  expect(created.status).toBe(201);
  return created.body;
}

describe('direct rooms (block checks against the user service stand-in)', () => {
  it('creates the one direct room of a pair (201), then returns the same room to either user (200)', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const bobSocket = await cluster.connect(1, bob);
    const announced = nextEvent(bobSocket, 'room:new');
    const created = await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: alice.token, body: { userId: bob.id } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'direct', name: null, visibility: 'private', memberCount: 2, createdBy: alice.id, lastMessage: null, unreadCount: 0 });
    expect(created.body.memberIds.sort()).toEqual([alice.id, bob.id].sort());
    expect((await announced).id).toBe(created.body.id);
    const again = await cluster.api(1, 'POST', '/api/v1/rooms/direct', { token: bob.token, body: { userId: alice.id } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    const asked = cluster.userService.requests.filter((request) => request.path.startsWith('/internal/v1/blocks'));
    expect(asked.length).toBeGreaterThanOrEqual(2);
    expect(asked.every((request) => request.internalToken === INTERNAL_TOKEN)).toBe(true);
  });

  it('stops messages in an open direct room once either user blocks the other (on the blocks-changed event), and lets them talk after unblocking', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const room = (await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: alice.token, body: { userId: bob.id } })).body as { id: string };
    const [aliceSocket, bobSocket] = [await cluster.connect(0, alice), await cluster.connect(1, bob)];
    const send = (body: string) => emitWithAck(aliceSocket, 'message:send', { roomId: room.id, clientMsgId: randomUUID(), body });
    expect((await send('before the block')).ok).toBe(true);

    // What the user service does on PUT/DELETE /me/blocks: change the answer, then announce it.
    const publisher = new Redis(TEST_REDIS_URL);
    const announce = () => publisher.publish(blocksChangedChannel(cluster.redisPrefix), JSON.stringify({ userA: bob.id, userB: alice.id }));
    try {
      cluster.userService.block(bob.id, alice.id);
      await announce();
      await pause(100);
      const inbox = collect<Message>(bobSocket, 'message:new');
      expect(await send('after the block')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const viaRest = await cluster.api(1, 'POST', `/api/v1/rooms/${room.id}/messages`, { token: bob.token, body: { clientMsgId: randomUUID(), body: 'me neither' } });
      expect(viaRest.status).toBe(403);
      await pause(200);
      expect(inbox).toEqual([]);

      cluster.userService.unblock(bob.id, alice.id);
      await announce();
      await pause(100);
      expect((await send('after the unblock')).ok).toBe(true);
    } finally {
      publisher.disconnect();
    }
  });

  it('refuses a direct-room send with unavailable when the user service cannot say whether the users block each other', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const room = (await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: alice.token, body: { userId: bob.id } })).body as { id: string };
    const aliceSocket = await cluster.connect(0, alice);
    cluster.userService.setDown(true);
    try {
      const ack = await emitWithAck(aliceSocket, 'message:send', { roomId: room.id, clientMsgId: randomUUID(), body: 'anyone?' });
      expect(ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    } finally {
      cluster.userService.setDown(false);
    }
  });

  it('refuses a direct room when either user blocks the other (403), and with yourself (400)', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    cluster.userService.block(bob.id, alice.id);
    const refused = await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: alice.token, body: { userId: bob.id } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: alice.token, body: { userId: alice.id } })).status).toBe(400);
    expect((await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: alice.token, body: { userId: 'bob' } })).status).toBe(400);
  });

  it('answers 503 when the user service cannot be reached, never creating the room', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    cluster.userService.setDown(true);
    try {
      const response = await cluster.api(1, 'POST', '/api/v1/rooms/direct', { token: alice.token, body: { userId: bob.id } });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('unavailable');
    } finally {
      cluster.userService.setDown(false);
    }
    const rooms = await cluster.api(0, 'GET', '/api/v1/rooms', { token: alice.token });
    expect(rooms.body.rooms).toEqual([]);
  });
});

describe('group rooms and membership', () => {
  it('creates a group room with the creator as owner, announces it to members on both instances, and lists members with online status', async () => {
    const [owner, member, offline] = [await cluster.user('owner'), await cluster.user('member'), await cluster.user('offline')];
    const memberSocket = await cluster.connect(1, member);
    const announced = nextEvent(memberSocket, 'room:new');
    const room = await group(owner, [member, offline, owner], { name: 'Book club', visibility: 'private' });
    expect(room).toMatchObject({ kind: 'group', name: 'Book club', visibility: 'private', memberCount: 3, createdBy: owner.id });
    expect(room.memberIds).toBeUndefined();
    expect(await announced).toMatchObject({ id: room.id, name: 'Book club' });

    const members = await cluster.api(0, 'GET', `/api/v1/rooms/${room.id}/members`, { token: member.token });
    expect(members.status).toBe(200);
    const byId = new Map(members.body.members.map((m: { userId: string }) => [m.userId, m]));
    expect(byId.get(owner.id)).toMatchObject({ role: 'owner', online: false });
    expect(byId.get(member.id)).toMatchObject({ role: 'member', online: true });
    expect(byId.get(offline.id)).toMatchObject({ role: 'member', online: false });
    const outsider = await cluster.user('outsider');
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${room.id}/members`, { token: outsider.token })).status).toBe(403);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${randomUUID()}/members`, { token: outsider.token })).status).toBe(404);
    expect((await cluster.api(0, 'POST', '/api/v1/rooms', { token: owner.token, body: { name: '' } })).status).toBe(400);
    expect((await cluster.api(0, 'POST', '/api/v1/rooms', { token: owner.token, body: { name: 'x', topic: 'y' } })).status).toBe(400);
  });

  it('lets owners add members, who join the room on every instance at once; others get 403', async () => {
    const [owner, member, newcomer] = [await cluster.user('owner'), await cluster.user('member'), await cluster.user('newcomer')];
    const room = await group(owner, [member]);
    const memberSocket = await cluster.connect(0, member);
    const newcomerSockets = [await cluster.connect(0, newcomer), await cluster.connect(1, newcomer)];
    const roomNew = newcomerSockets.map((socket) => nextEvent(socket, 'room:new'));
    const joined = nextEvent(memberSocket, 'room:member-joined');

    const refused = await cluster.api(1, 'POST', `/api/v1/rooms/${room.id}/members`, { token: member.token, body: { userIds: [newcomer.id] } });
    expect(refused.status).toBe(403);
    const added = await cluster.api(1, 'POST', `/api/v1/rooms/${room.id}/members`, { token: owner.token, body: { userIds: [newcomer.id] } });
    expect(added.status).toBe(200);
    expect(added.body.members.map((m: { userId: string }) => m.userId)).toContain(newcomer.id);
    expect(await joined).toEqual({ roomId: room.id, userId: newcomer.id });
    for (const event of await Promise.all(roomNew)) expect(event.id).toBe(room.id);

    // Effective before the call returned: the very next message reaches both newcomer sockets.
    const inboxes = newcomerSockets.map((socket) => collect<Message>(socket, 'message:new'));
    const ack = await emitWithAck(memberSocket, 'message:send', { roomId: room.id, clientMsgId: randomUUID(), body: 'welcome' });
    await eventually(() => inboxes.forEach((inbox) => expect(inbox.map((m) => m.id)).toEqual([ack.message.id])));
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${room.id}/members`, { token: owner.token, body: { userIds: [] } })).status).toBe(400);
  });

  it('removes a member (owner only): the removed user gets nothing more from the room, on any instance', async () => {
    const [owner, member, leaving] = [await cluster.user('owner'), await cluster.user('member'), await cluster.user('leaving')];
    const room = await group(owner, [member, leaving]);
    const ownerSocket = await cluster.connect(0, owner);
    const leavingSockets = [await cluster.connect(0, leaving), await cluster.connect(1, leaving)];
    const leavingInboxes = leavingSockets.map((socket) => collect<Message>(socket, 'message:new'));
    const left = nextEvent(ownerSocket, 'room:member-left');

    expect((await cluster.api(1, 'DELETE', `/api/v1/rooms/${room.id}/members/${leaving.id}`, { token: member.token })).status).toBe(403);
    const removed = await cluster.api(1, 'DELETE', `/api/v1/rooms/${room.id}/members/${leaving.id}`, { token: owner.token });
    expect(removed.status).toBe(204);
    expect(await left).toEqual({ roomId: room.id, userId: leaving.id });
    expect((await cluster.api(1, 'DELETE', `/api/v1/rooms/${room.id}/members/${leaving.id}`, { token: owner.token })).status).toBe(404);

    const ack = await emitWithAck(ownerSocket, 'message:send', { roomId: room.id, clientMsgId: randomUUID(), body: 'after removal' });
    expect(ack.ok).toBe(true);
    const typing = emitWithAck(leavingSockets[1]!, 'message:send', { roomId: room.id, clientMsgId: randomUUID(), body: 'can I?' });
    expect(await typing).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await pause(200);
    for (const inbox of leavingInboxes) expect(inbox).toEqual([]);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${room.id}/messages`, { token: leaving.token })).status).toBe(403);
  });

  it('does not change direct room members through the members endpoints (403)', async () => {
    const [alice, bob, carol] = [await cluster.user('alice'), await cluster.user('bob'), await cluster.user('carol')];
    const direct = await cluster.api(0, 'POST', '/api/v1/rooms/direct', { token: alice.token, body: { userId: bob.id } });
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${direct.body.id}/members`, { token: alice.token, body: { userIds: [carol.id] } })).status).toBe(403);
    expect((await cluster.api(0, 'DELETE', `/api/v1/rooms/${direct.body.id}/members/${bob.id}`, { token: alice.token })).status).toBe(403);
  });

  it('joins public rooms only (private 403, unknown 404), finds them by name prefix, and leaves', async () => {
    const [owner, visitor] = [await cluster.user('owner'), await cluster.user('visitor')];
    const tag = randomUUID().slice(0, 6);
    const open = await group(owner, [], { name: `Zeta ${tag} lounge`, visibility: 'public' });
    const closed = await group(owner, [], { name: `Zeta ${tag} private`, visibility: 'private' });
    await group(owner, [], { name: `Zeta ${tag} 100%_real`, visibility: 'public' });

    const found = await cluster.api(1, 'GET', `/api/v1/rooms/public?query=${encodeURIComponent(`zeta ${tag}`)}&limit=1`, { token: visitor.token });
    expect(found.status).toBe(200);
    expect(found.body.rooms).toHaveLength(1);
    expect(found.body.nextCursor).toEqual(expect.any(String));
    const rest = await cluster.api(1, 'GET', `/api/v1/rooms/public?query=${encodeURIComponent(`zeta ${tag}`)}&cursor=${found.body.nextCursor}`, { token: visitor.token });
    expect([...found.body.rooms, ...rest.body.rooms].map((r: { name: string }) => r.name)).toEqual([`Zeta ${tag} 100%_real`, `Zeta ${tag} lounge`]);
    const wildcard = await cluster.api(1, 'GET', `/api/v1/rooms/public?query=${encodeURIComponent(`zeta ${tag} 100%`)}`, { token: visitor.token });
    expect(wildcard.body.rooms.map((r: { name: string }) => r.name)).toEqual([`Zeta ${tag} 100%_real`]);
    expect((await cluster.api(1, 'GET', '/api/v1/rooms/public?cursor=garbage', { token: visitor.token })).status).toBe(400);

    const ownerSocket = await cluster.connect(0, owner);
    const joinedEvent = nextEvent(ownerSocket, 'room:member-joined');
    const joined = await cluster.api(1, 'POST', `/api/v1/rooms/${open.id}/join`, { token: visitor.token });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ id: open.id, memberCount: 2 });
    expect(await joinedEvent).toEqual({ roomId: open.id, userId: visitor.id });
    expect((await cluster.api(1, 'POST', `/api/v1/rooms/${closed.id}/join`, { token: visitor.token })).status).toBe(403);
    expect((await cluster.api(1, 'POST', `/api/v1/rooms/${randomUUID()}/join`, { token: visitor.token })).status).toBe(404);

    const leftEvent = nextEvent(ownerSocket, 'room:member-left');
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${open.id}/leave`, { token: visitor.token })).status).toBe(204);
    expect(await leftEvent).toEqual({ roomId: open.id, userId: visitor.id });
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${open.id}/leave`, { token: visitor.token })).status).toBe(404);
  });

  it('hands ownership on when the owner leaves', async () => {
    const [owner, member] = [await cluster.user('owner'), await cluster.user('member')];
    const room = await group(owner, [member]);
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${room.id}/leave`, { token: owner.token })).status).toBe(204);
    const members = await cluster.api(0, 'GET', `/api/v1/rooms/${room.id}/members`, { token: member.token });
    expect(members.body.members).toEqual([expect.objectContaining({ userId: member.id, role: 'owner' })]);
  });
});

describe('room list', () => {
  it('lists my rooms by last activity with last message, unread count and cursor pages', async () => {
    const [me, friend] = [await cluster.user('me'), await cluster.user('friend')];
    const first = await group(me, [friend], { name: 'first' });
    const second = await group(me, [friend], { name: 'second' });
    const third = await group(me, [friend], { name: 'third' });
    const friendSocket = await cluster.connect(1, friend);
    const sent: Message[] = [];
    for (const body of ['one', 'two']) {
      sent.push((await emitWithAck(friendSocket, 'message:send', { roomId: first.id, clientMsgId: randomUUID(), body })).message);
    }
    // The persistence worker stores the first message and moves the room's activity forward.
    await insertMessageBatch(cluster.instances[0]!.chat.dataSource, [sent[0]!]);

    const page1 = await cluster.api(0, 'GET', '/api/v1/rooms?limit=2', { token: me.token });
    expect(page1.status).toBe(200);
    expect(page1.body.rooms.map((r: { id: string }) => r.id)).toEqual([first.id, third.id]);
    expect(page1.body.rooms[0]).toMatchObject({ lastMessage: sent[1], unreadCount: 2, lastReadMessageId: null });
    const page2 = await cluster.api(1, 'GET', `/api/v1/rooms?limit=2&cursor=${page1.body.nextCursor}`, { token: me.token });
    expect(page2.body.rooms.map((r: { id: string }) => r.id)).toEqual([second.id]);
    expect(page2.body.nextCursor).toBeNull();
    expect((await cluster.api(1, 'GET', '/api/v1/rooms?cursor=nope', { token: me.token })).status).toBe(400);
    expect((await cluster.api(1, 'GET', '/api/v1/rooms?limit=0', { token: me.token })).status).toBe(400);
    expect((await cluster.api(1, 'GET', '/api/v1/rooms')).status).toBe(401);
  });
});
