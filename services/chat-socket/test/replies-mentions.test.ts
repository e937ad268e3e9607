import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MENTIONS_MAX, type Message, type NotificationEvent, type RoomSummary, type ThreadResponse } from '@parley/contracts';
import { collect, emitWithAck, eventually, sendMessage, startChatCluster, type ChatCluster, type ClientSocket, type TestUser } from './support/chat-cluster.js';

/**
 * Replies, threads and @mentions (docs/decisions/0034-replies-and-mentions.md): a reply names a
 * message of its room, is checked on the server, carries its parent's quote, and counts toward
 * the parent's replies once the worker stores it; `@username` resolves to room members at send
 * time, counts in the reader's room summary and notifies the member. Two chat-socket instances,
 * the real persistence worker, real PostgreSQL and Redis.
 */

let cluster: ChatCluster;
let db: pg.Pool;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_replies', env: { SEND_BURST: '200', SEND_RATE_PER_SECOND: '200' }, worker: true });
  db = cluster.db;
}, 120_000);

afterAll(async () => {
  await cluster?.close();
});

const groupRoom = (owner: TestUser, members: TestUser[] = []): Promise<string> => cluster.groupRoom(owner, members, 'threads');

const send = sendMessage;

const thread = (user: TestUser, roomId: string, messageId: string, query = '') =>
  cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages/${messageId}/replies${query}`, { token: user.token });

const storedUpTo = (roomId: string, seq: number): Promise<void> => cluster.storedUpTo(roomId, seq);

async function summaryOf(user: TestUser, roomId: string): Promise<RoomSummary> {
  const list = await cluster.api(0, 'GET', '/api/v1/rooms', { token: user.token });
  expect(list.status).toBe(200);
  return list.body.rooms.find((room: RoomSummary) => room.id === roomId);
}

describe('replies and threads', () => {
  it('delivers a reply live on both instances with its quote, and the thread and the parent count it once stored', async () => {
    const [owner, alice, bob] = [await cluster.user('owner'), await cluster.user('alice'), await cluster.user('bob')];
    const roomId = await groupRoom(owner, [alice, bob]);
    const aliceSocket = await cluster.connect(0, alice);
    const bobSocket = await cluster.connect(1, bob);
    const bobNew = collect<Message>(bobSocket, 'message:new');
    const parent = await send(aliceSocket, roomId, 'Where do we meet?');
    const first = await send(bobSocket, roomId, 'At the station', parent.id);
    const second = await send(aliceSocket, roomId, 'Fine by me', parent.id);

    expect(first).toMatchObject({ replyTo: parent.id, replyQuote: { messageId: parent.id, senderId: alice.id, excerpt: 'Where do we meet?', deleted: false } });
    await eventually(() => expect(bobNew.map((item) => item.id)).toEqual([parent.id, first.id, second.id]));
    expect(bobNew[2]).toMatchObject({ replyTo: parent.id, replyQuote: { senderId: alice.id } });

    // Before the worker stored anything, the thread comes from the recent window.
    const early = await thread(bob, roomId, parent.id);
    expect(early.status).toBe(200);
    expect((early.body as ThreadResponse).replies.map((reply) => reply.id)).toEqual([first.id, second.id]);

    await storedUpTo(roomId, second.seq);
    await eventually(async () => {
      const stored = (await thread(bob, roomId, parent.id)).body as ThreadResponse;
      expect(stored.parent).toMatchObject({ id: parent.id, replyCount: 2, lastReplyAt: second.createdAt, stateSeq: second.seq });
    }, 15_000);
    const paged = (await thread(bob, roomId, parent.id, '?limit=1')).body as ThreadResponse;
    expect(paged.replies.map((reply) => reply.id)).toEqual([first.id]);
    expect(paged.hasMore).toBe(true);
    const rest = (await thread(bob, roomId, parent.id, `?limit=1&afterSeq=${first.seq}`)).body as ThreadResponse;
    expect(rest.replies.map((reply) => reply.id)).toEqual([second.id]);
    expect(rest.hasMore).toBe(false);

    const history = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages?limit=50`, { token: bob.token });
    const stored = history.body.messages as Message[];
    expect(stored.find((item) => item.id === parent.id)).toMatchObject({ replyCount: 2, lastReplyAt: second.createdAt });
    expect(stored.find((item) => item.id === second.id)).toMatchObject({ replyTo: parent.id, replyQuote: { excerpt: 'Where do we meet?', deleted: false } });
  });

  it('quotes a deleted parent as deleted, and refuses new replies to it', async () => {
    const [owner, alice] = [await cluster.user('owner'), await cluster.user('alice')];
    const roomId = await groupRoom(owner, [alice]);
    const socket = await cluster.connect(0, alice);
    const parent = await send(socket, roomId, 'a secret plan');
    const reply = await send(socket, roomId, 'tell me more', parent.id);
    const deleted = await emitWithAck(socket, 'message:delete', { roomId, messageId: parent.id, clientMsgId: randomUUID() });
    expect(deleted.ok).toBe(true);
    const refused = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'too late', replyTo: parent.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });

    await storedUpTo(roomId, deleted.event.seq);
    await eventually(async () => {
      const history = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages?limit=50`, { token: alice.token });
      const quoted = (history.body.messages as Message[]).find((item) => item.id === reply.id);
      expect(quoted?.replyQuote).toEqual({ messageId: parent.id, senderId: alice.id, excerpt: '', deleted: true });
    }, 15_000);
    const body = JSON.stringify((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages?limit=50`, { token: alice.token })).body);
    expect(body).not.toContain('a secret plan');
  });

  it('brings a member who was offline to the same reply counts by room:sync, and by history after a reload', async () => {
    const [owner, online, offline] = [await cluster.user('owner'), await cluster.user('online'), await cluster.user('offline')];
    const roomId = await groupRoom(owner, [online, offline]);
    const ownerSocket = await cluster.connect(0, owner);
    const onlineSocket = await cluster.connect(1, online);
    const parent = await send(ownerSocket, roomId, 'vote here');
    const offlineSocket = await cluster.connect(0, offline);
    const seenBefore = await emitWithAck(offlineSocket, 'room:sync', { rooms: [{ roomId, afterSeq: 0 }] });
    expect(seenBefore.rooms[0].messages.map((item: Message) => item.id)).toEqual([parent.id]);
    offlineSocket.disconnect();

    const liveOnline = collect<Message>(onlineSocket, 'message:new');
    const replies = [await send(ownerSocket, roomId, 'yes', parent.id), await send(onlineSocket, roomId, 'no', parent.id), await send(ownerSocket, roomId, 'maybe', parent.id)];
    await eventually(() => expect(liveOnline.filter((item) => item.replyTo === parent.id)).toHaveLength(2));

    const back = await cluster.connect(1, offline);
    const sync = await emitWithAck(back, 'room:sync', { rooms: [{ roomId, afterSeq: parent.seq }] });
    expect(sync.rooms[0].messages.map((item: Message) => [item.id, item.replyTo])).toEqual(replies.map((reply) => [reply.id, parent.id]));

    await storedUpTo(roomId, replies[2]!.seq);
    await eventually(async () => {
      const history = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages?limit=50`, { token: offline.token });
      expect((history.body.messages as Message[]).find((item) => item.id === parent.id)).toMatchObject({ replyCount: 3, stateSeq: replies[2]!.seq });
    }, 15_000);
  });

  it('refuses replies across rooms, from non-members, to unknown or event ids, and malformed payloads', async () => {
    const [owner, member, outsider] = [await cluster.user('owner'), await cluster.user('member'), await cluster.user('outsider')];
    const roomId = await groupRoom(owner, [member]);
    const otherRoom = await groupRoom(outsider, []);
    const memberSocket = await cluster.connect(0, member);
    const outsiderSocket = await cluster.connect(1, outsider);
    const parent = await send(memberSocket, roomId, 'inside');
    const foreign = await send(outsiderSocket, otherRoom, 'elsewhere');
    const reaction = await emitWithAck(memberSocket, 'reaction:add', { roomId, messageId: parent.id, clientMsgId: randomUUID(), emoji: '👍' });
    const attempt = (socket: ClientSocket, extra: Record<string, unknown>) => emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'reply', ...extra });

    const outcomes = {
      anotherRoomsMessage: await attempt(memberSocket, { replyTo: foreign.id }),
      ownRoomMessageIntoOtherRoom: await attempt(outsiderSocket, { roomId: otherRoom, replyTo: parent.id }),
      nonMember: await attempt(outsiderSocket, { replyTo: parent.id }),
      unknownId: await attempt(memberSocket, { replyTo: '123456789' }),
      eventId: await attempt(memberSocket, { replyTo: reaction.event.id }),
      notAnId: await attempt(memberSocket, { replyTo: '../1' }),
      numberId: await attempt(memberSocket, { replyTo: 12 }),
      hugeId: await attempt(memberSocket, { replyTo: '9'.repeat(5_000) }),
      unknownField: await attempt(memberSocket, { replyTo: parent.id, mentions: [outsider.id] }),
      controlCharacters: await attempt(memberSocket, { replyTo: parent.id, body: 'hi\u0000\u001b[2J' }),
      hugeBody: await attempt(memberSocket, { replyTo: parent.id, body: '@x '.repeat(5_000) }),
    };
    const codes = Object.fromEntries(Object.entries(outcomes).map(([name, ack]) => [name, ack.ok ? 'ok' : ack.error.code]));
    expect(codes).toEqual({
      anotherRoomsMessage: 'not_found',
      ownRoomMessageIntoOtherRoom: 'not_found',
      nonMember: 'forbidden',
      unknownId: 'not_found',
      eventId: 'not_found',
      notAnId: 'invalid',
      numberId: 'invalid',
      hugeId: 'invalid',
      unknownField: 'invalid',
      controlCharacters: 'invalid',
      hugeBody: 'invalid',
    });
    // Nothing of another room leaks through the error.
    expect(JSON.stringify(outcomes.anotherRoomsMessage)).not.toContain('elsewhere');

    // The same over REST, and the thread endpoint gives non-members nothing.
    const rest = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: member.token, body: { clientMsgId: randomUUID(), body: 'x', replyTo: foreign.id } });
    expect(rest.status).toBe(404);
    expect((await thread(outsider, roomId, parent.id)).status).toBe(403);
    expect((await thread(outsider, otherRoom, parent.id)).status).toBe(404);
    expect((await thread(member, roomId, foreign.id)).status).toBe(404);
    expect((await thread(member, roomId, 'not-an-id')).status).toBe(400);
    expect((await thread(member, roomId, '9'.repeat(40))).status).toBe(400);
    expect((await thread(member, roomId, parent.id, '?limit=100000')).status).toBe(400);
    expect((await thread(member, roomId, parent.id, '?cursor=abc')).status).toBe(400);
  });
});

describe('thread pages', () => {
  const PAGE = 7;
  const page = async (user: TestUser, roomId: string, parentId: string, query: string): Promise<ThreadResponse> => {
    const answer = await thread(user, roomId, parentId, query);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body as ThreadResponse;
  };
  const ascending = (replies: Message[]) => replies.every((reply, index) => index === 0 || reply.seq > replies[index - 1]!.seq);

  it('reads a thread longer than a page backwards from its latest reply and forwards from its first, every reply once, while replies keep coming', async () => {
    const [owner, member] = [await cluster.user('owner'), await cluster.user('member')];
    const roomId = await groupRoom(owner, [member]);
    const ownerSocket = await cluster.connect(0, owner);
    const memberSocket = await cluster.connect(1, member);
    const parent = await send(ownerSocket, roomId, 'Agenda?');
    const replies: Message[] = [];
    for (let index = 0; index < 3 * PAGE + 2; index += 1) {
      replies.push(await send(index % 2 === 0 ? memberSocket : ownerSocket, roomId, `point ${index}`, parent.id));
      // Other messages of the room between replies: thread pages skip them.
      if (index % 5 === 0) await send(ownerSocket, roomId, `aside ${index}`);
    }
    await storedUpTo(roomId, replies.at(-1)!.seq);
    const ids = (items: Message[]) => items.map((item) => item.id);

    // Backwards, as the thread panel reads: the latest page first; new replies never shift the earlier pages.
    const latest = await page(member, roomId, parent.id, `?from=end&limit=${PAGE}`);
    expect(ids(latest.replies)).toEqual(ids(replies.slice(-PAGE)));
    expect(latest.hasMore).toBe(true);
    const backwards = [...latest.replies];
    const arrivedMeanwhile: Message[] = [];
    let before = latest.replies[0]!.seq;
    for (let more = latest.hasMore; more; ) {
      arrivedMeanwhile.push(await send(ownerSocket, roomId, `late ${arrivedMeanwhile.length}`, parent.id));
      const earlier = await page(member, roomId, parent.id, `?beforeSeq=${before}&limit=${PAGE}`);
      expect(earlier.replies.length).toBeGreaterThan(0);
      expect(earlier.replies.length).toBeLessThanOrEqual(PAGE);
      expect(ascending(earlier.replies)).toBe(true);
      expect(earlier.replies.at(-1)!.seq).toBeLessThan(before);
      backwards.unshift(...earlier.replies);
      before = earlier.replies[0]!.seq;
      more = earlier.hasMore;
    }
    expect(ids(backwards)).toEqual(ids(replies));
    expect(new Set(ids(backwards)).size).toBe(replies.length);
    // Below the first reply there is nothing, and the parent comes with every page.
    expect(await page(member, roomId, parent.id, `?beforeSeq=${replies[0]!.seq}`)).toMatchObject({ replies: [], hasMore: false, parent: { id: parent.id } });

    // Forwards, with replies accepted but maybe not stored yet at the end: all of them, once, in order.
    const forwards: Message[] = [];
    let after: number | undefined;
    for (let more = true; more; ) {
      const next = await page(member, roomId, parent.id, `?limit=${PAGE}${after === undefined ? '' : `&afterSeq=${after}`}`);
      expect(ascending(next.replies)).toBe(true);
      forwards.push(...next.replies);
      after = next.replies.at(-1)?.seq ?? after;
      more = next.hasMore;
    }
    expect(ids(forwards)).toEqual(ids([...replies, ...arrivedMeanwhile]));

    // The latest page now ends with the replies that came meanwhile.
    expect(ids((await page(member, roomId, parent.id, `?from=end&limit=${PAGE}`)).replies).slice(-arrivedMeanwhile.length)).toEqual(ids(arrivedMeanwhile));
  });

  it('gives non-members nothing, whichever way they page, and answers hostile cursors with a uniform 400', async () => {
    const [owner, member, outsider] = [await cluster.user('owner'), await cluster.user('member'), await cluster.user('outsider')];
    const roomId = await groupRoom(owner, [member]);
    const ownerSocket = await cluster.connect(0, owner);
    const parent = await send(ownerSocket, roomId, 'members only');
    const reply = await send(ownerSocket, roomId, 'the secret plan', parent.id);

    for (const query of ['', '?from=end', `?beforeSeq=${reply.seq + 1}`, '?afterSeq=0']) {
      const refused = await thread(outsider, roomId, parent.id, query);
      expect({ query, status: refused.status }).toEqual({ query, status: 403 });
      expect(refused.body).toEqual({ error: expect.objectContaining({ code: 'forbidden' }) });
      expect(JSON.stringify(refused.body)).not.toContain('secret');
    }
    // A room that does not exist is answered the same as one the caller is not in.
    expect((await thread(outsider, randomUUID(), parent.id, '?from=end')).status).toBe(403);

    const hostile = [
      'beforeSeq=abc',
      'beforeSeq=-1',
      'afterSeq=-5',
      'beforeSeq=1e3',
      'beforeSeq=0x10',
      'beforeSeq=1.5',
      'beforeSeq=',
      `beforeSeq=${'9'.repeat(16)}`,
      `afterSeq=${'9'.repeat(400)}`,
      'beforeSeq=%00',
      'beforeSeq=1&beforeSeq=2',
      'beforeSeq[a]=1',
      'afterSeq=1&beforeSeq=9',
      'from=end&beforeSeq=9',
      'from=middle',
      'from=',
      'limit=0',
      'limit=-1',
      'limit=101',
      'cursor=abc',
      `beforeSeq=${encodeURIComponent("1' OR '1'='1")}`,
    ];
    for (const query of hostile) {
      const refused = await thread(member, roomId, parent.id, `?${query}`);
      expect({ query, status: refused.status }).toEqual({ query, status: 400 });
      expect(refused.body).toEqual({ error: expect.objectContaining({ code: 'invalid', message: expect.any(String) }) });
      expect(JSON.stringify(refused.body)).not.toMatch(/at .*\.js|stack/i);
    }
    // Numbers within range but beyond any reply are fine: an empty or complete page, never an error.
    expect(await page(member, roomId, parent.id, `?beforeSeq=${'9'.repeat(15)}`)).toMatchObject({ replies: [{ id: reply.id }], hasMore: false });
    expect(await page(member, roomId, parent.id, `?afterSeq=${'9'.repeat(15)}`)).toMatchObject({ replies: [], hasMore: false });
    expect(await page(member, roomId, parent.id, '?beforeSeq=0')).toMatchObject({ replies: [], hasMore: false });
  });
});

describe('@mentions', () => {
  it('stores the mentioned members, counts them in the reader’s summary and notifies them online and offline', async () => {
    const ann = await cluster.user('ann');
    const ben = await cluster.user('ben');
    const cat = await cluster.user('cat');
    const stranger = await cluster.user('stranger');
    const roomId = await groupRoom(ann, [ben, cat]);
    const annSocket = await cluster.connect(0, ann);
    const benSocket = await cluster.connect(1, ben);
    const benNotes = collect<NotificationEvent>(benSocket, 'notification');
    const benNew = collect<Message>(benSocket, 'message:new');

    // cat is offline; the stranger is not a member; email-like text and unknown names are no mentions.
    const body = `@${ben.username} and @${cat.username.toUpperCase()}: see me@example.com, not @${stranger.username} nor @nobody_here. @${ben.username} again`;
    const message = await send(annSocket, roomId, body);
    expect(message.mentions).toEqual([ben.id, cat.id]);
    await eventually(() => expect(benNew.find((item) => item.id === message.id)?.mentions).toEqual([ben.id, cat.id]));
    const plain = await send(annSocket, roomId, 'no one in particular');
    expect(plain.mentions).toBeUndefined();

    await storedUpTo(roomId, plain.seq);
    await eventually(() => expect(benNotes).toContainEqual(expect.objectContaining({ kind: 'mention', roomId, fromUserId: ann.id, messageId: message.id })), 15_000);
    await eventually(async () => {
      const { rows } = await db.query(`SELECT user_id FROM chat.notifications WHERE kind = 'mention' AND last_message_id = $1 ORDER BY user_id`, [message.id]);
      expect(rows.map((row) => row.user_id).sort()).toEqual([ben.id, cat.id].sort());
    }, 15_000);
    const { rows: stored } = await db.query('SELECT mentions::text[] AS mentions FROM chat.messages WHERE id = $1', [message.id]);
    expect(stored[0].mentions).toEqual([ben.id, cat.id]);

    const catSummary = await summaryOf(cat, roomId);
    expect(catSummary).toMatchObject({ unreadCount: 2, mentionCount: 1 });
    expect((await summaryOf(ann, roomId)).mentionCount).toBe(0);
    const read = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/read`, { token: cat.token, body: { messageId: plain.id } });
    expect(read.status).toBe(200);
    expect(await summaryOf(cat, roomId)).toMatchObject({ unreadCount: 0, mentionCount: 0 });
  });

  it('counts a mention accepted but not stored yet, and bounds mentions per message', async () => {
    const ann = await cluster.user('ann');
    const members = await Promise.all(Array.from({ length: MENTIONS_MAX + 2 }, (_, index) => cluster.user(`m${index}`)));
    const roomId = await groupRoom(ann, members);
    const socket = await cluster.connect(0, ann);
    const message = await send(socket, roomId, members.map((member) => `@${member.username}`).join(' '));
    expect(message.mentions).toEqual(members.slice(0, MENTIONS_MAX).map((member) => member.id));
    // Right after the ack: the recent window answers for what the worker has not stored.
    const summary = await summaryOf(members[0]!, roomId);
    expect(summary.mentionCount).toBe(1);
    expect((await summaryOf(members[MENTIONS_MAX]!, roomId)).mentionCount).toBe(0);
  });

  it('sends without mentions when the user service cannot resolve names', async () => {
    const ann = await cluster.user('ann');
    const ben = await cluster.user('ben');
    const roomId = await groupRoom(ann, [ben]);
    const socket = await cluster.connect(0, ann);
    cluster.userService.setDown(true);
    try {
      const message = await send(socket, roomId, `@${ben.username} are you there?`);
      expect(message.mentions).toBeUndefined();
    } finally {
      cluster.userService.setDown(false);
    }
  });
});
