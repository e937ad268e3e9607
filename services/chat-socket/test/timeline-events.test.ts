import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { collect, emitWithAck, eventually, sendMessage, startChatCluster, type ChatCluster, type ClientSocket, type TestUser } from './support/chat-cluster.js';

/**
 * Edits, deletions and reactions are timeline events (docs/decisions/0021-timeline-events.md):
 * accepted by the same script as messages (idempotent by clientMsgId, the room's sequence),
 * acknowledged, broadcast, stored by the real persistence worker, and returned by history and
 * `room:sync`. Two chat-socket instances, real PostgreSQL and Redis.
 */

let cluster: ChatCluster;
let db: pg.Pool;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_timeline', env: { SEND_BURST: '200', SEND_RATE_PER_SECOND: '200', MESSAGE_EDIT_WINDOW_SECONDS: '3600' }, worker: true });
  db = cluster.db;
}, 120_000);

afterAll(async () => {
  await cluster?.close();
});

const groupRoom = (owner: TestUser, members: TestUser[] = []): Promise<string> => cluster.groupRoom(owner, members, 'timeline');

const send = sendMessage;

async function storedHistory(token: string, roomId: string): Promise<Message[]> {
  const page = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages?limit=100`, { token });
  expect(page.status).toBe(200);
  return page.body.messages;
}

/** Waits until the worker stored every item up to `seq` (history then comes from PostgreSQL). */
const storedUpTo = (roomId: string, seq: number): Promise<void> => cluster.storedUpTo(roomId, seq);

describe('edits, deletions and reactions as timeline events', () => {
  it('delivers them live on both instances with their own sequence numbers, once per clientMsgId, and stores the folded state', async () => {
    const [owner, alice, bob] = [await cluster.user('owner'), await cluster.user('alice'), await cluster.user('bob')];
    const roomId = await groupRoom(owner, [alice, bob]);
    const aliceSocket = await cluster.connect(0, alice);
    const bobSocket = await cluster.connect(1, bob);
    const bobChanges = collect<Message>(bobSocket, 'message:changed');
    const bobNew = collect<Message>(bobSocket, 'message:new');
    const message = await send(aliceSocket, roomId, 'first draft');

    const editId = randomUUID();
    const edit = await emitWithAck(aliceSocket, 'message:edit', { roomId, messageId: message.id, clientMsgId: editId, body: 'final text' });
    const again = await emitWithAck(aliceSocket, 'message:edit', { roomId, messageId: message.id, clientMsgId: editId, body: 'final text' });
    expect(edit).toMatchObject({ ok: true, event: { kind: 'edit', targetId: message.id, body: 'final text', seq: message.seq + 1 } });
    expect(again.event).toEqual(edit.event);

    const thumbsId = randomUUID();
    const thumbs = await emitWithAck(bobSocket, 'reaction:add', { roomId, messageId: message.id, clientMsgId: thumbsId, emoji: '👍' });
    expect((await emitWithAck(bobSocket, 'reaction:add', { roomId, messageId: message.id, clientMsgId: thumbsId, emoji: '👍' })).event).toEqual(thumbs.event);
    await emitWithAck(bobSocket, 'reaction:add', { roomId, messageId: message.id, clientMsgId: randomUUID(), emoji: '❤️' });
    const removed = await emitWithAck(bobSocket, 'reaction:remove', { roomId, messageId: message.id, clientMsgId: randomUUID(), emoji: '❤️' });
    expect(removed).toMatchObject({ ok: true, event: { kind: 'reaction_remove', emoji: '❤️', seq: message.seq + 4 } });

    await eventually(() => expect(bobChanges.map((event) => [event.kind, event.seq])).toEqual([
      ['edit', message.seq + 1],
      ['reaction_add', message.seq + 2],
      ['reaction_add', message.seq + 3],
      ['reaction_remove', message.seq + 4],
    ]));
    // Events are not new messages.
    expect(bobNew.map((item) => item.id)).toEqual([message.id]);

    await storedUpTo(roomId, message.seq + 4);
    let history: Message[] = [];
    await eventually(async () => {
      history = await storedHistory(bob.token, roomId);
      expect(history.find((item) => item.id === message.id)?.stateSeq).toBe(message.seq + 4);
    }, 15_000);
    const stored = history.find((item) => item.id === message.id)!;
    expect(stored).toMatchObject({ body: 'final text', stateSeq: message.seq + 4, reactions: [{ emoji: '👍', count: 1, userIds: [bob.id] }] });
    expect(stored.editedAt).toBe(edit.event.createdAt);
    expect(history.filter((item) => item.kind !== undefined).map((item) => item.seq)).toEqual([2, 3, 4, 5].map((n) => message.seq + n - 1));
    // One edit recorded however often it was sent; the original kept for moderators.
    const { rows } = await db.query('SELECT kind, body FROM chat.message_edits WHERE message_id = $1 ORDER BY seq', [message.id]);
    expect(rows).toEqual([
      { kind: 'original', body: 'first draft' },
      { kind: 'edit', body: 'final text' },
    ]);
  });

  it('lets owners delete anyone\'s message, leaves a tombstone in history, and refuses changes to it afterwards', async () => {
    const [owner, alice] = [await cluster.user('owner'), await cluster.user('alice')];
    const roomId = await groupRoom(owner, [alice]);
    const ownerSocket = await cluster.connect(1, owner);
    const aliceSocket = await cluster.connect(0, alice);
    const message = await send(aliceSocket, roomId, 'secret');
    await emitWithAck(aliceSocket, 'message:edit', { roomId, messageId: message.id, clientMsgId: randomUUID(), body: 'still secret' });
    const deletionId = randomUUID();
    const deletion = await emitWithAck(ownerSocket, 'message:delete', { roomId, messageId: message.id, clientMsgId: deletionId });
    expect(deletion).toMatchObject({ ok: true, event: { kind: 'delete', targetId: message.id, senderId: owner.id, body: '' } });
    // A retry (the first ack was lost) is answered with the same deletion, not "already deleted".
    expect(await emitWithAck(ownerSocket, 'message:delete', { roomId, messageId: message.id, clientMsgId: deletionId })).toEqual(deletion);

    const late = await emitWithAck(aliceSocket, 'message:edit', { roomId, messageId: message.id, clientMsgId: randomUUID(), body: 'too late' });
    expect(late).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const react = await emitWithAck(aliceSocket, 'reaction:add', { roomId, messageId: message.id, clientMsgId: randomUUID(), emoji: '👍' });
    expect(react).toMatchObject({ ok: false, error: { code: 'conflict' } });

    await storedUpTo(roomId, deletion.event.seq);
    let history: Message[] = [];
    await eventually(async () => {
      history = await storedHistory(alice.token, roomId);
      expect(history.find((item) => item.id === message.id)?.stateSeq).toBe(deletion.event.seq);
    }, 15_000);
    expect(history.find((item) => item.id === message.id)).toMatchObject({ body: '', deletedAt: deletion.event.createdAt });
    // Nothing of the deleted text is served, not even through its edit event.
    expect(JSON.stringify(history)).not.toContain('secret');
    // Kept for moderators: owners and admins read what was replaced, the author and members do not.
    const path = `/api/v1/rooms/${roomId}/messages/${message.id}/revisions`;
    const revisions = await cluster.api(0, 'GET', path, { token: owner.token });
    expect(revisions.status).toBe(200);
    expect(revisions.body.revisions.map((revision: { kind: string; body: string; editorId: string }) => [revision.kind, revision.body, revision.editorId])).toEqual([
      ['original', 'secret', alice.id],
      ['edit', 'still secret', alice.id],
      ['delete', '', owner.id],
    ]);
    expect((await cluster.api(0, 'GET', path, { token: alice.token })).status).toBe(403);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages/${deletion.event.id}/revisions`, { token: owner.token })).status).toBe(404);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages/not-an-id/revisions`, { token: owner.token })).status).toBe(400);
  });

  // Frames over 16 KB close the socket before any parsing (handshake-and-limits.test.ts); these stay under it.
  it('refuses attackers and malformed payloads with 4xx-style acks, never internal', async () => {
    const [owner, alice, bob, outsider] = [await cluster.user('owner'), await cluster.user('alice'), await cluster.user('bob'), await cluster.user('outsider')];
    const roomId = await groupRoom(owner, [alice, bob]);
    const otherRoom = await groupRoom(outsider, []);
    const aliceSocket = await cluster.connect(0, alice);
    const bobSocket = await cluster.connect(1, bob);
    const outsiderSocket = await cluster.connect(0, outsider);
    const message = await send(aliceSocket, roomId, 'mine');
    const foreign = await send(outsiderSocket, otherRoom, 'elsewhere');
    const reaction = await emitWithAck(bobSocket, 'reaction:add', { roomId, messageId: message.id, clientMsgId: randomUUID(), emoji: '🎉' });
    const base = (extra: Record<string, unknown> = {}) => ({ roomId, messageId: message.id, clientMsgId: randomUUID(), ...extra });

    const outcomes = {
      editSomeoneElses: await emitWithAck(bobSocket, 'message:edit', base({ body: 'hijacked' })),
      deleteAsPlainMember: await emitWithAck(bobSocket, 'message:delete', base()),
      reactOutsideRoom: await emitWithAck(outsiderSocket, 'reaction:add', base({ emoji: '👍' })),
      editOutsideRoom: await emitWithAck(outsiderSocket, 'message:edit', base({ body: 'x' })),
      targetInAnotherRoom: await emitWithAck(aliceSocket, 'reaction:add', base({ messageId: foreign.id, emoji: '👍' })),
      targetIsAnEvent: await emitWithAck(aliceSocket, 'reaction:add', base({ messageId: reaction.event.id, emoji: '👍' })),
      unknownMessage: await emitWithAck(aliceSocket, 'message:delete', base({ messageId: '12345' })),
      notAnEmoji: await emitWithAck(bobSocket, 'reaction:add', base({ emoji: 'lol' })),
      twoEmoji: await emitWithAck(bobSocket, 'reaction:add', base({ emoji: '👍👍' })),
      markup: await emitWithAck(bobSocket, 'reaction:add', base({ emoji: '<img src=x>' })),
      hugeEmoji: await emitWithAck(bobSocket, 'reaction:add', base({ emoji: '👍'.repeat(1_000) })),
      hugeBody: await emitWithAck(aliceSocket, 'message:edit', base({ body: 'x'.repeat(10_000) })),
      emptyBody: await emitWithAck(aliceSocket, 'message:edit', base({ body: '   ' })),
      unknownField: await emitWithAck(aliceSocket, 'message:delete', base({ force: true })),
      badId: await emitWithAck(aliceSocket, 'message:delete', base({ messageId: '../1' })),
      noPayload: await emitWithAck(aliceSocket, 'message:edit', null),
    };
    const codes = Object.fromEntries(Object.entries(outcomes).map(([name, ack]) => [name, ack.ok ? 'ok' : ack.error.code]));
    expect(codes).toEqual({
      editSomeoneElses: 'forbidden',
      deleteAsPlainMember: 'forbidden',
      reactOutsideRoom: 'forbidden',
      editOutsideRoom: 'forbidden',
      targetInAnotherRoom: 'not_found',
      targetIsAnEvent: 'not_found',
      unknownMessage: 'not_found',
      notAnEmoji: 'invalid',
      twoEmoji: 'invalid',
      markup: 'invalid',
      hugeEmoji: 'invalid',
      hugeBody: 'invalid',
      emptyBody: 'invalid',
      unknownField: 'invalid',
      badId: 'invalid',
      noPayload: 'invalid',
    });
    // The same clientMsgId cannot be reused for a different change.
    const reused = await emitWithAck(bobSocket, 'reaction:remove', { roomId, messageId: message.id, clientMsgId: reaction.event.clientMsgId, emoji: '🎉' });
    expect(reused).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('bounds the distinct emoji on one message', async () => {
    const [owner] = [await cluster.user('owner')];
    const roomId = await groupRoom(owner, []);
    const socket = await cluster.connect(0, owner);
    const message = await send(socket, roomId, 'react to me');
    const emoji = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋', '😎', '😍', '😘', '🥰', '😗', '😙', '🥲', '😚', '🙂'];
    for (const each of emoji) {
      const ack = await emitWithAck(socket, 'reaction:add', { roomId, messageId: message.id, clientMsgId: randomUUID(), emoji: each });
      expect(ack.ok, each).toBe(true);
    }
    const oneMore = await emitWithAck(socket, 'reaction:add', { roomId, messageId: message.id, clientMsgId: randomUUID(), emoji: '🤗' });
    expect(oneMore).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const existing = await emitWithAck(socket, 'reaction:remove', { roomId, messageId: message.id, clientMsgId: randomUUID(), emoji: '😀' });
    expect(existing.ok).toBe(true);
  });

  it('brings a member who was offline during the changes to exactly what an online member saw, by room:sync and by history', async () => {
    const [owner, online, offline] = [await cluster.user('owner'), await cluster.user('online'), await cluster.user('offline')];
    const roomId = await groupRoom(owner, [online, offline]);
    const ownerSocket = await cluster.connect(0, owner);
    const onlineSocket = await cluster.connect(1, online);
    const seenLive = collect<Message>(onlineSocket, 'message:changed');
    const first = await send(ownerSocket, roomId, 'one');
    const second = await send(ownerSocket, roomId, 'two');
    const offlineSocket = await cluster.connect(0, offline);
    offlineSocket.disconnect();

    await emitWithAck(ownerSocket, 'message:edit', { roomId, messageId: first.id, clientMsgId: randomUUID(), body: 'one, edited' });
    await emitWithAck(onlineSocket, 'reaction:add', { roomId, messageId: first.id, clientMsgId: randomUUID(), emoji: '👍🏽' });
    await emitWithAck(ownerSocket, 'message:delete', { roomId, messageId: second.id, clientMsgId: randomUUID() });
    const last = await emitWithAck(onlineSocket, 'reaction:add', { roomId, messageId: first.id, clientMsgId: randomUUID(), emoji: '🇫🇷' });
    await eventually(() => expect(seenLive).toHaveLength(4));

    // Back online, before the worker may have stored anything: the recent window answers.
    const back = await cluster.connect(1, offline);
    const sync = await emitWithAck(back, 'room:sync', { rooms: [{ roomId, afterSeq: second.seq }] });
    expect(sync.ok).toBe(true);
    expect(sync.rooms[0].messages.map((item: Message) => item.id)).toEqual(seenLive.map((event) => event.id));
    expect(sync.rooms[0].hasMore).toBe(false);

    // After storage, a fresh load (a reload) sees the same state folded in.
    await storedUpTo(roomId, last.event.seq);
    // The worker folds events into their messages right after storing them.
    let history: Message[] = [];
    await eventually(async () => {
      history = await storedHistory(offline.token, roomId);
      expect(history.find((item) => item.id === first.id)?.stateSeq).toBe(last.event.seq);
    }, 15_000);
    expect(history.find((item) => item.id === first.id)).toMatchObject({
      body: 'one, edited',
      reactions: [
        { emoji: '👍🏽', count: 1, userIds: [online.id] },
        { emoji: '🇫🇷', count: 1, userIds: [online.id] },
      ],
    });
    expect(history.find((item) => item.id === second.id)).toMatchObject({ body: '' });
    expect(history.find((item) => item.id === second.id)!.deletedAt).toBeDefined();
    const stored = await emitWithAck(back, 'room:sync', { rooms: [{ roomId, afterSeq: second.seq }] });
    expect(stored.rooms[0].messages.map((item: Message) => item.id)).toEqual(seenLive.map((event) => event.id));
  });
});

describe('edit and delete windows (1 s here)', () => {
  /** A pod whose authors may edit and delete for 1 s; the cluster's others allow edits for an hour and deletions always. */
  const shortWindows = { MESSAGE_EDIT_WINDOW_SECONDS: '1', MESSAGE_DELETE_WINDOW_SECONDS: '1' };

  /** Resolves once every message is older than the 1 s window (server and test share the clock). */
  async function windowClosedFor(messages: Message[]): Promise<void> {
    const newest = Math.max(...messages.map((message) => Date.parse(message.createdAt)));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, newest + 1_000 + 100 - Date.now())));
  }

  it('refuses an author\'s edit and deletion once the window closed (forbidden, nothing recorded), while room owners and admins still delete any message, their own included', async () => {
    const strict = await cluster.startInstance(shortWindows);
    try {
      const [owner, admin, alice, bob] = [await cluster.user('owner'), await cluster.user('admin'), await cluster.user('alice'), await cluster.user('bob')];
      const roomId = await groupRoom(owner, [admin, alice, bob]);
      const promoted = await cluster.api(0, 'PUT', `/api/v1/rooms/${roomId}/members/${admin.id}/role`, { token: owner.token, body: { role: 'admin' } });
      expect(promoted.status).toBe(204);
      const [ownerSocket, adminSocket, aliceSocket] = [await cluster.connect(strict, owner), await cluster.connect(strict, admin), await cluster.connect(strict, alice)];
      const bobSocket = await cluster.connect(1, bob);
      const bobChanges = collect<Message>(bobSocket, 'message:changed');
      const alicesFirst = await send(aliceSocket, roomId, 'first words');
      const alicesSecond = await send(aliceSocket, roomId, 'second words');
      const ownersOwn = await send(ownerSocket, roomId, 'owner words');
      const adminsOwn = await send(adminSocket, roomId, 'admin words');
      await windowClosedFor([alicesFirst, alicesSecond, ownersOwn, adminsOwn]);

      const lateEdit = await emitWithAck(aliceSocket, 'message:edit', { roomId, messageId: alicesFirst.id, clientMsgId: randomUUID(), body: 'rewritten' });
      const lateDelete = await emitWithAck(aliceSocket, 'message:delete', { roomId, messageId: alicesFirst.id, clientMsgId: randomUUID() });
      expect(lateEdit).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('1 seconds') } });
      expect(lateDelete).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('1 seconds') } });

      // Nothing was recorded: the history is the four messages as sent, and the next accepted change takes the very next sequence number.
      const before = await storedHistory(bob.token, roomId);
      expect(before.map((item) => [item.id, item.body, item.editedAt, item.deletedAt, item.kind])).toEqual(
        [alicesFirst, alicesSecond, ownersOwn, adminsOwn].map((item) => [item.id, item.body, undefined, undefined, undefined]),
      );
      const byOwner = await emitWithAck(ownerSocket, 'message:delete', { roomId, messageId: alicesFirst.id, clientMsgId: randomUUID() });
      expect(byOwner).toMatchObject({ ok: true, event: { kind: 'delete', targetId: alicesFirst.id, seq: adminsOwn.seq + 1 } });
      const byAdmin = await emitWithAck(adminSocket, 'message:delete', { roomId, messageId: alicesSecond.id, clientMsgId: randomUUID() });
      const ownerSelf = await emitWithAck(ownerSocket, 'message:delete', { roomId, messageId: ownersOwn.id, clientMsgId: randomUUID() });
      const adminSelf = await emitWithAck(adminSocket, 'message:delete', { roomId, messageId: adminsOwn.id, clientMsgId: randomUUID() });
      expect([byAdmin, ownerSelf, adminSelf].map((ack) => (ack.ok ? ack.event.seq : ack.error.code))).toEqual([2, 3, 4].map((n) => adminsOwn.seq + n));
      await eventually(() => expect(bobChanges.map((event) => [event.kind, event.targetId])).toEqual(
        [alicesFirst, alicesSecond, ownersOwn, adminsOwn].map((item) => ['delete', item.id]),
      ));

      await storedUpTo(roomId, adminSelf.event.seq);
      await eventually(async () => {
        const history = await storedHistory(bob.token, roomId);
        expect(history.filter((item) => item.kind === undefined).map((item) => [item.body, item.deletedAt !== undefined, item.editedAt])).toEqual([
          ['', true, undefined],
          ['', true, undefined],
          ['', true, undefined],
          ['', true, undefined],
        ]);
      }, 15_000);
      // No edit was ever recorded for the message the author tried to rewrite.
      const { rows } = await db.query('SELECT kind FROM chat.message_edits WHERE message_id = $1 ORDER BY seq', [alicesFirst.id]);
      expect(rows.map((row: { kind: string }) => row.kind)).not.toContain('edit');
    } finally {
      await cluster.stopInstance(strict);
    }
  });

  it('refuses the late change only because of the window: the same author, on a pod with the default windows, edits and deletes the same old message', async () => {
    const strict = await cluster.startInstance(shortWindows);
    try {
      const [owner, alice] = [await cluster.user('owner'), await cluster.user('alice')];
      const roomId = await groupRoom(owner, [alice]);
      const onStrict = await cluster.connect(strict, alice);
      const onDefault = await cluster.connect(0, alice);
      const message = await send(onStrict, roomId, 'old words');
      await windowClosedFor([message]);
      expect(await emitWithAck(onStrict, 'message:edit', { roomId, messageId: message.id, clientMsgId: randomUUID(), body: 'new words' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await emitWithAck(onDefault, 'message:edit', { roomId, messageId: message.id, clientMsgId: randomUUID(), body: 'new words' })).toMatchObject({ ok: true, event: { seq: message.seq + 1 } });
      expect(await emitWithAck(onStrict, 'message:delete', { roomId, messageId: message.id, clientMsgId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await emitWithAck(onDefault, 'message:delete', { roomId, messageId: message.id, clientMsgId: randomUUID() })).toMatchObject({ ok: true, event: { seq: message.seq + 2 } });
    } finally {
      await cluster.stopInstance(strict);
    }
  });
});
