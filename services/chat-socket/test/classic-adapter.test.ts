import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { collect, emitWithAck, eventually, pause, startChatCluster, type ChatCluster } from './support/chat-cluster.js';

let cluster: ChatCluster;

beforeAll(async () => {
  cluster = await startChatCluster({ label: 'chat_classic', env: { SOCKET_ADAPTER: 'classic' } });
});

afterAll(async () => {
  await cluster?.close();
});

describe('with the classic (non-sharded) Redis adapter, for comparison', () => {
  it('delivers across instances, joins added members everywhere and stops delivering to removed ones', async () => {
    const [owner, member, newcomer] = [await cluster.user('owner'), await cluster.user('member'), await cluster.user('newcomer')];
    const room = await cluster.api(0, 'POST', '/api/v1/rooms', { token: owner.token, body: { name: 'classic', memberIds: [member.id] } });
    const ownerSocket = await cluster.connect(0, owner);
    const memberSockets = [await cluster.connect(0, member), await cluster.connect(1, member)];
    const newcomerSocket = await cluster.connect(1, newcomer);
    const memberInboxes = memberSockets.map((socket) => collect<Message>(socket, 'message:new'));
    const newcomerInbox = collect<Message>(newcomerSocket, 'message:new');
    const send = async (body: string) =>
      (await emitWithAck(ownerSocket, 'message:send', { roomId: room.body.id, clientMsgId: randomUUID(), body })).message as Message;

    const first = await send('hello');
    await eventually(() => memberInboxes.forEach((inbox) => expect(inbox.map((m) => m.id)).toEqual([first.id])));

    expect((await cluster.api(1, 'POST', `/api/v1/rooms/${room.body.id}/members`, { token: owner.token, body: { userIds: [newcomer.id] } })).status).toBe(200);
    const second = await send('welcome');
    await eventually(() => expect(newcomerInbox.map((m) => m.id)).toEqual([second.id]));

    expect((await cluster.api(0, 'DELETE', `/api/v1/rooms/${room.body.id}/members/${member.id}`, { token: owner.token })).status).toBe(204);
    const third = await send('bye');
    await eventually(() => expect(newcomerInbox.map((m) => m.id)).toEqual([second.id, third.id]));
    await pause(150);
    memberInboxes.forEach((inbox) => expect(inbox.map((m) => m.id)).toEqual([first.id, second.id]));
  });
});
