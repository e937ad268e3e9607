import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Presence, TypingEvent } from '@parley/contracts';
import { blocksChangedChannel } from '@parley/keyspace';
import { TEST_REDIS_URL } from '@parley/testing';
import { collect, emitWithAck, eventually, nextEvent, pause, startChatCluster, type ChatCluster, type TestUser } from './support/chat-cluster.js';

let cluster: ChatCluster;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_presence', env: { TYPING_TIMEOUT_MS: '400' } });
});

afterAll(async () => {
  await cluster?.close();
});

async function group(owner: TestUser, members: TestUser[]): Promise<string> {
  const created = await cluster.api(0, 'POST', '/api/v1/rooms', { token: owner.token, body: { name: 'room', memberIds: members.map((m) => m.id) } });
  return created.body.id;
}

const presenceOf = async (viewer: TestUser, ...users: TestUser[]) =>
  (await cluster.api(1, 'GET', `/api/v1/presence?userIds=${users.map((u) => u.id).join(',')}`, { token: viewer.token })).body.presence as Presence[];

describe('presence across instances', () => {
  it('is online while any socket of the user is connected on any instance, announced to co-members and friends', async () => {
    const [watcher, user, friend] = [await cluster.user('watcher'), await cluster.user('user'), await cluster.user('friend')];
    await group(watcher, [user]);
    cluster.userService.setFriends(user.id, [friend.id]);
    const watcherSocket = await cluster.connect(0, watcher);
    const friendSocket = await cluster.connect(0, friend);
    const seenByWatcher = collect<Presence>(watcherSocket, 'presence');
    const seenByFriend = collect<Presence>(friendSocket, 'presence');

    expect(await presenceOf(watcher, user)).toEqual([{ userId: user.id, status: 'offline', lastSeenAt: null }]);
    const first = await cluster.connect(1, user);
    await eventually(() => expect(seenByWatcher.filter((p) => p.userId === user.id)).toEqual([{ userId: user.id, status: 'online', lastSeenAt: null }]));
    await eventually(() => expect(seenByFriend.filter((p) => p.userId === user.id).map((p) => p.status)).toEqual(['online']));
    const second = await cluster.connect(0, user);
    expect((await presenceOf(watcher, user))[0]!.status).toBe('online');

    first.disconnect();
    await pause(200);
    expect((await presenceOf(watcher, user))[0]!.status).toBe('online');
    second.disconnect();
    await eventually(() => expect(seenByWatcher.filter((p) => p.userId === user.id).map((p) => p.status)).toEqual(['online', 'offline']));
    const [offline] = await presenceOf(watcher, user);
    expect(offline).toMatchObject({ userId: user.id, status: 'offline' });
    expect(Date.parse(offline!.lastSeenAt!)).toBeGreaterThan(Date.now() - 10_000);
  });

  it('hides presence between users who block each other: no announcements, offline over REST and in member lists, updated at once on block and unblock', async () => {
    const [ana, ben, cat] = [await cluster.user('ana'), await cluster.user('ben'), await cluster.user('cat')];
    const roomId = await group(ana, [ben, cat]);
    const anaSocket = await cluster.connect(0, ana);
    const catSocket = await cluster.connect(1, cat);
    const anaSees = collect<Presence>(anaSocket, 'presence');
    const catSees = collect<Presence>(catSocket, 'presence');
    const publisher = new Redis(TEST_REDIS_URL);
    // What the user service does on PUT/DELETE /me/blocks: change the answer, then announce it.
    const announce = () => publisher.publish(blocksChangedChannel(cluster.redisPrefix), JSON.stringify({ userA: ben.id, userB: ana.id }));
    const onlineMembersFor = async (viewer: TestUser) =>
      (await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/members`, { token: viewer.token })).body.members
        .filter((member: { online: boolean }) => member.online)
        .map((member: { userId: string }) => member.userId)
        .sort();
    try {
      let benSocket = await cluster.connect(1, ben);
      await eventually(() => expect(anaSees.filter((p) => p.userId === ben.id).map((p) => p.status)).toEqual(['online']));

      cluster.userService.block(ben.id, ana.id);
      await announce();
      // Ana sees Ben go offline at once (and Ben sees Ana go offline), though Ben is still connected.
      await eventually(() => expect(anaSees.filter((p) => p.userId === ben.id).map((p) => p.status)).toEqual(['online', 'offline']));
      expect((await presenceOf(ana, ben))[0]).toEqual({ userId: ben.id, status: 'offline', lastSeenAt: null });
      expect((await presenceOf(ben, ana))[0]).toEqual({ userId: ana.id, status: 'offline', lastSeenAt: null });
      expect((await presenceOf(cat, ben))[0]!.status).toBe('online');
      expect(await onlineMembersFor(ana)).toEqual([ana.id, cat.id].sort());
      expect(await onlineMembersFor(cat)).toEqual([ana.id, ben.id, cat.id].sort());

      // Ben leaves and comes back: Cat hears both, Ana hears nothing.
      const catSawBefore = catSees.length;
      const catSeesBen = () => catSees.slice(catSawBefore).filter((p) => p.userId === ben.id).map((p) => p.status);
      benSocket.disconnect();
      await eventually(() => expect(catSeesBen()).toEqual(['offline']));
      benSocket = await cluster.connect(0, ben);
      await eventually(() => expect(catSeesBen()).toEqual(['offline', 'online']));
      await pause(200);
      expect(anaSees.filter((p) => p.userId === ben.id).map((p) => p.status)).toEqual(['online', 'offline']);

      cluster.userService.unblock(ben.id, ana.id);
      await announce();
      await eventually(() => expect(anaSees.filter((p) => p.userId === ben.id).map((p) => p.status)).toEqual(['online', 'offline', 'online']));
      expect((await presenceOf(ana, ben))[0]!.status).toBe('online');
      benSocket.disconnect();
    } finally {
      publisher.disconnect();
    }
  });

  it('validates presence queries (400) and requires a token (401)', async () => {
    const viewer = await cluster.user('viewer');
    expect((await cluster.api(0, 'GET', '/api/v1/presence?userIds=not-a-uuid', { token: viewer.token })).status).toBe(400);
    expect((await cluster.api(0, 'GET', '/api/v1/presence', { token: viewer.token })).status).toBe(400);
    expect((await cluster.api(0, 'GET', `/api/v1/presence?userIds=${viewer.id}`)).status).toBe(401);
  });
});

describe('typing indicators', () => {
  it('relays typing to the other members only (not the sender’s sockets), throttled, and expires it without renewal', async () => {
    const [typist, reader, outsider] = [await cluster.user('typist'), await cluster.user('reader'), await cluster.user('outsider')];
    const roomId = await group(typist, [reader]);
    const typistSocket = await cluster.connect(0, typist);
    const typistOther = await cluster.connect(1, typist);
    const readerSocket = await cluster.connect(1, reader);
    const outsiderSocket = await cluster.connect(0, outsider);
    const readerSees = collect<TypingEvent>(readerSocket, 'typing');
    const typistSees = [collect<TypingEvent>(typistSocket, 'typing'), collect<TypingEvent>(typistOther, 'typing')];
    const outsiderSees = collect<TypingEvent>(outsiderSocket, 'typing');

    typistSocket.emit('typing', { roomId, isTyping: true });
    typistSocket.emit('typing', { roomId, isTyping: true });
    typistSocket.emit('typing', { roomId, isTyping: true });
    await eventually(() => expect(readerSees).toEqual([{ roomId, userId: typist.id, isTyping: true }]));
    // No renewal: the server turns it off after TYPING_TIMEOUT_MS (400 ms here).
    await eventually(() => expect(readerSees.at(-1)).toEqual({ roomId, userId: typist.id, isTyping: false }), 2_000);
    expect(readerSees).toHaveLength(2);

    typistSocket.emit('typing', { roomId, isTyping: true });
    typistSocket.emit('typing', { roomId, isTyping: false });
    await eventually(() => expect(readerSees.map((e) => e.isTyping)).toEqual([true, false, true, false]));

    outsiderSocket.emit('typing', { roomId, isTyping: true });
    (typistSocket as any).emit('typing', { roomId: 'nope', isTyping: 'yes' });
    await pause(150);
    expect(readerSees).toHaveLength(4);
    expect(typistSees.flat()).toEqual([]);
    expect(outsiderSees).toEqual([]);
  });
});

describe('read receipts', () => {
  it('moves read markers forward only, announces them to the room, and drives unreadCount (including messages not yet persisted)', async () => {
    const [me, other] = [await cluster.user('me'), await cluster.user('other')];
    const roomId = await group(me, [other]);
    const mySocket = await cluster.connect(0, me);
    const otherSocket = await cluster.connect(1, other);
    const ids: string[] = [];
    for (const body of ['a', 'b', 'c']) ids.push((await emitWithAck(otherSocket, 'message:send', { roomId, clientMsgId: randomUUID(), body })).message.id);
    await emitWithAck(mySocket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'my own' });

    const unreadOf = async () => (await cluster.api(1, 'GET', '/api/v1/rooms', { token: me.token })).body.rooms.find((r: { id: string }) => r.id === roomId);
    expect(await unreadOf()).toMatchObject({ unreadCount: 3, lastReadMessageId: null });

    const receipt = nextEvent(otherSocket, 'room:read');
    expect(await emitWithAck(mySocket, 'room:read', { roomId, messageId: ids[1] })).toEqual({ ok: true });
    expect(await receipt).toEqual({ roomId, userId: me.id, messageId: ids[1] });
    expect(await unreadOf()).toMatchObject({ unreadCount: 1, lastReadMessageId: ids[1] });

    const backwards = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/read`, { token: me.token, body: { messageId: ids[0] } });
    expect(backwards.status).toBe(200);
    expect(backwards.body).toEqual({ roomId, lastReadMessageId: ids[1] });
    expect(await unreadOf()).toMatchObject({ unreadCount: 1, lastReadMessageId: ids[1] });

    const forward = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/read`, { token: me.token, body: { messageId: ids[2] } });
    expect(forward.body.lastReadMessageId).toBe(ids[2]);
    expect(await unreadOf()).toMatchObject({ unreadCount: 0 });

    // Every member's marker is in the member list, so a client that reloads still shows who read what.
    const members = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/members`, { token: other.token });
    expect(members.body.members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: me.id, lastReadMessageId: ids[2] }),
        expect.objectContaining({ userId: other.id, lastReadMessageId: null }),
      ]),
    );

    const outsider = await cluster.user('outsider');
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/read`, { token: outsider.token, body: { messageId: ids[2] } })).status).toBe(403);
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/read`, { token: me.token, body: { messageId: 'x' } })).status).toBe(400);
    expect(await emitWithAck(otherSocket, 'room:read', { roomId, messageId: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    // room:read without an ack callback is fine too.
    otherSocket.emit('room:read', { roomId, messageId: ids[2]! });
    await eventually(async () => {
      const theirs = (await cluster.api(1, 'GET', '/api/v1/rooms', { token: other.token })).body.rooms.find((r: { id: string }) => r.id === roomId);
      expect(theirs.lastReadMessageId).toBe(ids[2]);
    });
  });
});
