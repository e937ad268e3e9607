import { randomUUID } from 'node:crypto';
import type { Ack, Message, RoomSyncResult } from '@parley/contracts';
import { caseResult, expectThat, type CaseResult } from '../case-result.js';
import { sleep, until, type Account, type ClientSocket, type PlatformApi } from '../clients/platform-api.js';

interface Attempt {
  what: string;
  run: () => Promise<boolean>;
}

/** An acked socket event's answer, or undefined when none came. */
async function ask<T>(socket: ClientSocket, event: string, payload: unknown): Promise<Ack<T> | undefined> {
  return (await (socket.timeout(5_000) as unknown as { emitWithAck: (event: string, payload: unknown) => Promise<unknown> })
    .emitWithAck(event, payload)
    .catch(() => undefined)) as Ack<T> | undefined;
}

/**
 * Every action on a private room by two people who must not act on it: an outsider, and a
 * former member removed before the attack. REST (send, history, read marker, members, events,
 * rename, add, remove, role, invites, join, preferences) and socket (send, sync, read, typing),
 * while both keep sockets open: not one action may succeed, and not one of the members' messages,
 * typing or read receipts may reach them.
 */
export async function authorizationMatrixCase(api: PlatformApi, people: { owner: Account; member: Account; outsider: Account; removed: Account }, messagesPerMember = 5): Promise<CaseResult> {
  const { owner, member, outsider, removed } = people;
  const problems: string[] = [];
  const roomId = await api.createRoom(owner, 'members only', [member.userId, removed.userId]);
  const first = (await api.expect([201], 'POST', `/api/v1/rooms/${roomId}/messages`, { token: owner.token, body: { clientMsgId: randomUUID(), body: 'for members only' } })) as { message: Message };
  await api.expect([204, 200], 'DELETE', `/api/v1/rooms/${roomId}/members/${removed.userId}`, { token: owner.token });

  const ownerSocket = await api.connect(owner.token);
  const memberSocket = await api.connect(member.token);
  const intruders = [
    { who: 'outsider', account: outsider, socket: await api.connect(outsider.token) },
    { who: 'removed member', account: removed, socket: await api.connect(removed.token) },
  ];
  const leaked: string[] = [];
  for (const { who, socket } of intruders) {
    for (const event of ['message:new', 'typing', 'room:read', 'room:updated', 'room:event', 'room:member-joined', 'room:member-role', 'notification']) {
      (socket as unknown as { on: (event: string, listener: (payload: { roomId?: string }) => void) => void }).on(event, (payload) => {
        if (payload?.roomId === roomId) leaked.push(`${who} got ${event}`);
      });
    }
  }
  const typingSeenByOwner: string[] = [];
  ownerSocket.on('typing', (event) => {
    if (event.userId !== owner.userId && event.userId !== member.userId) typingSeenByOwner.push(event.userId);
  });

  let tried = 0;
  let accepted = 0;
  for (const { who, account, socket } of intruders) {
    const rest = (method: string, path: string, body?: unknown): Attempt => ({
      what: `${who}: ${method} ${path.replace(roomId, ':id')}`,
      run: async () => (await api.request(method, path, { token: account.token, body })).status < 400,
    });
    const attempts: Attempt[] = [
      rest('POST', `/api/v1/rooms/${roomId}/messages`, { clientMsgId: randomUUID(), body: `from the ${who}` }),
      rest('GET', `/api/v1/rooms/${roomId}/messages`),
      rest('GET', `/api/v1/rooms/${roomId}/messages?afterSeq=0`),
      rest('POST', `/api/v1/rooms/${roomId}/read`, { messageId: first.message.id }),
      rest('GET', `/api/v1/rooms/${roomId}/members`),
      rest('GET', `/api/v1/rooms/${roomId}/events`),
      rest('PATCH', `/api/v1/rooms/${roomId}`, { name: 'taken over' }),
      rest('POST', `/api/v1/rooms/${roomId}/members`, { userIds: [account.userId] }),
      rest('DELETE', `/api/v1/rooms/${roomId}/members/${member.userId}`),
      rest('PUT', `/api/v1/rooms/${roomId}/members/${account.userId}/role`, { role: 'admin' }),
      rest('PUT', `/api/v1/rooms/${roomId}/members/${member.userId}/role`, { role: 'admin' }),
      rest('POST', `/api/v1/rooms/${roomId}/invites`, {}),
      rest('GET', `/api/v1/rooms/${roomId}/invites`),
      rest('POST', `/api/v1/rooms/${roomId}/join`),
      rest('PUT', `/api/v1/rooms/${roomId}/preferences`, { muted: true }),
      {
        what: `${who}: socket message:send`,
        run: async () => (await ask<{ message: Message }>(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: `socket from the ${who}` }))?.ok === true,
      },
      {
        what: `${who}: socket room:sync`,
        run: async () => {
          const answer = await ask<RoomSyncResult>(socket, 'room:sync', { rooms: [{ roomId, afterSeq: 0 }] });
          return answer?.ok === true && answer.rooms.some((room) => room.messages.length > 0);
        },
      },
      {
        what: `${who}: socket room:sync by id`,
        run: async () => {
          const answer = await ask<RoomSyncResult>(socket, 'room:sync', { rooms: [{ roomId, afterId: null }] });
          return answer?.ok === true && answer.rooms.some((room) => room.messages.length > 0);
        },
      },
      { what: `${who}: socket room:read`, run: async () => (await ask(socket, 'room:read', { roomId, messageId: first.message.id }))?.ok === true },
      {
        what: `${who}: socket typing`,
        run: async () => {
          socket.emit('typing', { roomId, isTyping: true });
          await sleep(300);
          return typingSeenByOwner.includes(account.userId);
        },
      },
    ];
    for (const attempt of attempts) {
      tried += 1;
      if (await attempt.run()) {
        accepted += 1;
        problems.push(`allowed: ${attempt.what}`);
      }
    }
  }

  // The members talk; nothing of it may reach the intruders' open sockets.
  const sent: string[] = [first.message.id];
  for (let index = 0; index < messagesPerMember; index += 1) {
    for (const [account, socket] of [[owner, ownerSocket], [member, memberSocket]] as const) {
      const answer = await ask<{ message: Message }>(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: `${account.username} ${index}` });
      if (answer?.ok) sent.push(answer.message.id);
    }
    ownerSocket.emit('typing', { roomId, isTyping: true });
  }
  await ask(memberSocket, 'room:read', { roomId, messageId: sent[sent.length - 1] });
  const memberHistory = async () => ((await api.request('GET', `/api/v1/rooms/${roomId}/messages?limit=100`, { token: member.token })).body as { messages?: Message[] }).messages ?? [];
  expectThat(problems, await until(async () => (await memberHistory()).length >= sent.length, 10_000), 'the members’ own messages did not reach their history');
  await sleep(500);
  tried += sent.length * intruders.length;
  accepted += leaked.length;
  problems.push(...[...new Set(leaked)].map((what) => `delivered: ${what}`));

  for (const socket of [ownerSocket, memberSocket, ...intruders.map((intruder) => intruder.socket)]) socket.close();
  return caseResult(
    { name: 'authorization matrix', unit: 'actions and deliveries', tried, accepted, lost: 0, figures: { actionsPerIntruder: (tried - sent.length * intruders.length) / intruders.length, memberMessages: sent.length, foreignDeliveries: leaked.length } },
    problems,
  );
}
