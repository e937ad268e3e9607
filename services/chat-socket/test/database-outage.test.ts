import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '@parley/testing';
import { emitWithAck, eventually, startChatCluster, type ChatCluster, type ClientSocket, type TestUser } from './support/chat-cluster.js';

/**
 * PostgreSQL (a private server: the shared one is never stopped) goes away under a connected
 * socket. What needs the database answers `unavailable` (ack) or 503, so clients retry; never
 * `internal`, which tells a client it hit a bug. Everything works again once it is back.
 */
let postgres: PrivatePostgres;
let cluster: ChatCluster;
let member: TestUser;
let socket: ClientSocket;
let roomId: string;
let messageId: string;

beforeAll(async () => {
  postgres = await startPrivatePostgres();
  cluster = await startChatCluster({ label: 'chat_db_outage', instances: 1, env: { DATABASE_URL: postgres.url } });
  member = await cluster.user('member');
  roomId = (await cluster.api(0, 'POST', '/api/v1/rooms', { token: member.token, body: { name: 'outage' } })).body.id;
  socket = await cluster.connect(0, member);
  messageId = (await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'before' })).message.id;
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await postgres?.destroy();
});

describe('a PostgreSQL outage under chat-socket', () => {
  it('answers socket events with `unavailable` and REST with 503 while it lasts, and serves again once it is back', async () => {
    await postgres.stop('fast');

    const sync = await emitWithAck(socket, 'room:sync', { rooms: [{ roomId, afterId: null }] });
    expect(sync).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const read = await emitWithAck(socket, 'room:read', { roomId, messageId });
    expect(read).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    // The sender is a member of the room on this socket: accepting needs Redis only.
    const sent = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'during' });
    expect(sent.ok || sent.error.code === 'unavailable', JSON.stringify(sent)).toBe(true);

    for (const [method, path, body] of [
      ['GET', '/api/v1/rooms', undefined],
      ['GET', `/api/v1/rooms/${roomId}/messages`, undefined],
      ['GET', `/api/v1/rooms/${roomId}/members`, undefined],
      ['POST', `/api/v1/rooms/${roomId}/read`, { messageId }],
      ['POST', '/api/v1/rooms', { name: 'not now' }],
    ] as const) {
      const response = await cluster.api(0, method, path, { token: member.token, ...(body ? { body } : {}) });
      expect(response.status, `${method} ${path}`).toBe(503);
      expect(response.body.error.code, `${method} ${path}`).toBe('unavailable');
    }
    await expect(cluster.connect(0, member)).rejects.toMatchObject({ data: { code: 'unavailable' } });

    await postgres.start();
    await eventually(async () => {
      const again = await emitWithAck(socket, 'room:sync', { rooms: [{ roomId, afterId: null }] });
      expect(again).toMatchObject({ ok: true });
      expect(again.rooms[0].messages.map((message: { body: string }) => message.body)).toContain('before');
    }, 20_000, 200);
    expect((await cluster.api(0, 'GET', '/api/v1/rooms', { token: member.token })).status).toBe(200);
  }, 90_000);
});
