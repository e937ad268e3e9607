import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitWithAck, startChatCluster, type ChatCluster, type ClientSocket, type TestUser } from './support/chat-cluster.js';

/**
 * Malformed input that used to reach PostgreSQL and come back as a 500 or an `internal` ack:
 * ids beyond bigint, crafted cursors, control characters. Each is the client's error: 400 /
 * `invalid`, and the member's data stays as it was.
 */
let cluster: ChatCluster;
let member: TestUser;
let socket: ClientSocket;
let roomId: string;
let messageId: string;

/** 20 digits: a valid-looking id no PostgreSQL bigint can hold. */
const BEYOND_BIGINT = '99999999999999999999';
const JUST_BEYOND_BIGINT = '9223372036854775808';

const legacyCursor = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_hostile', instances: 1 });
  member = await cluster.user('member');
  const created = await cluster.api(0, 'POST', '/api/v1/rooms', { token: member.token, body: { name: 'hostile', visibility: 'public' } });
  roomId = created.body.id;
  socket = await cluster.connect(0, member);
  const sent = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'kept' });
  messageId = sent.message.id;
  await emitWithAck(socket, 'room:read', { roomId, messageId });
});

afterAll(async () => {
  await cluster?.close();
});

function expectInvalid(result: { status: number; body: { error?: { code?: string } } }, what: string): void {
  expect(result.status, what).toBe(400);
  expect(result.body.error?.code, what).toBe('invalid');
}

describe('ids beyond PostgreSQL bigint', () => {
  it.each([BEYOND_BIGINT, JUST_BEYOND_BIGINT])('answers 400 to history before/after %s', async (id) => {
    for (const direction of ['before', 'after']) {
      expectInvalid(await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages?${direction}=${id}`, { token: member.token }), direction);
    }
  });

  it('answers 400 to a read marker beyond bigint and keeps the marker where it was', async () => {
    expectInvalid(await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/read`, { token: member.token, body: { messageId: BEYOND_BIGINT } }), 'read');
    const members = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/members`, { token: member.token });
    expect(members.body.members[0].lastReadMessageId).toBe(messageId);
  });

  it('acks room:sync and room:read beyond bigint with `invalid`', async () => {
    for (const id of [BEYOND_BIGINT, JUST_BEYOND_BIGINT]) {
      const sync = await emitWithAck(socket, 'room:sync', { rooms: [{ roomId, afterId: id }] });
      expect(sync).toMatchObject({ ok: false, error: { code: 'invalid' } });
      const read = await emitWithAck(socket, 'room:read', { roomId, messageId: id });
      expect(read).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
  });
});

describe('crafted cursors', () => {
  it.each([
    ['an activity that is not a number', legacyCursor(['not-a-number', randomUUID()])],
    ['a room id that is not a uuid', legacyCursor(['1700000000000000', 'not-a-uuid'])],
    ['a versioned activity beyond bigint', legacyCursor({ v: 1, activityUs: BEYOND_BIGINT, id: randomUUID() })],
    ['a versioned room id that is not a uuid', legacyCursor({ v: 1, activityUs: '1', id: 'x' })],
    ['a NUL byte', legacyCursor({ v: 1, activityUs: '1\u0000', id: randomUUID() })],
  ])('answers 400 to my rooms with %s', async (_what, cursor) => {
    expectInvalid(await cluster.api(0, 'GET', `/api/v1/rooms?cursor=${cursor}`, { token: member.token }), cursor);
  });

  it.each([
    ['a room id that is not a uuid', legacyCursor(['hostile', 'not-a-uuid'])],
    ['a NUL in the name', legacyCursor({ v: 1, name: 'a\u0000', id: randomUUID() })],
    ['an unpaired surrogate in the name', legacyCursor({ v: 1, name: 'a\ud800', id: randomUUID() })],
  ])('answers 400 to public rooms with %s', async (_what, cursor) => {
    expectInvalid(await cluster.api(0, 'GET', `/api/v1/rooms/public?cursor=${cursor}`, { token: member.token }), cursor);
  });

  it('still pages with the cursors it issues', async () => {
    await cluster.api(0, 'POST', '/api/v1/rooms', { token: member.token, body: { name: 'second' } });
    const first = await cluster.api(0, 'GET', '/api/v1/rooms?limit=1', { token: member.token });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await cluster.api(0, 'GET', `/api/v1/rooms?limit=1&cursor=${first.body.nextCursor}`, { token: member.token });
    expect(second.status).toBe(200);
    expect(second.body.rooms).toHaveLength(1);
    expect(second.body.rooms[0].id).not.toBe(first.body.rooms[0].id);
  });
});

describe('control characters', () => {
  it('answers 400 to a room name or public room search with NUL', async () => {
    expectInvalid(await cluster.api(0, 'POST', '/api/v1/rooms', { token: member.token, body: { name: 'nul\u0000room' } }), 'name');
    expectInvalid(await cluster.api(0, 'GET', `/api/v1/rooms/public?query=${encodeURIComponent('a\u0000')}`, { token: member.token }), 'query');
  });

  it('acks a message body with NUL or an unpaired surrogate with `invalid`, over the socket and REST', async () => {
    for (const body of ['poison \u0000 pill', 'half \ud83d a smile']) {
      const ack = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body });
      expect(ack, JSON.stringify(body)).toMatchObject({ ok: false, error: { code: 'invalid' } });
      expectInvalid(await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: member.token, body: { clientMsgId: randomUUID(), body } }), body);
    }
    const multiline = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'line one\n\tline two\r\n' });
    expect(multiline).toMatchObject({ ok: true, message: { body: 'line one\n\tline two' } });
  });

  it('answers an acked event sent without a payload with `invalid` instead of leaving it unanswered', async () => {
    for (const event of ['message:send', 'room:sync', 'room:read']) {
      const ack = await (socket as unknown as { timeout(ms: number): { emitWithAck(event: string): Promise<unknown> } }).timeout(3_000).emitWithAck(event);
      expect(ack, event).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
  });

  it('answers 400 to a path that is not valid percent-encoding', async () => {
    expectInvalid(await cluster.api(0, 'GET', '/api/v1/rooms/%E0%A4%A/messages', { token: member.token }), 'path');
  });
});
