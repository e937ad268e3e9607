import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Ack, Message } from '@parley/contracts';
import { caseResult, expectThat, type CaseResult } from '../case-result.js';
import { sleep, until, type Account, type PlatformApi } from '../clients/platform-api.js';

/**
 * One clientMsgId sent `count` times, 50 at a time, over REST and many sockets of the sender
 * (through the gateway, so on both chat-socket processes): every answer names the same message, one row is
 * stored, and the other member receives it once.
 */
export async function idempotencyCase(api: PlatformApi, db: pg.Pool, sender: Account, receiver: Account, count: number): Promise<CaseResult> {
  const problems: string[] = [];
  const roomId = await api.createRoom(sender, 'idempotency', [receiver.userId]);
  // Each socket stays within chat-socket's per-socket event burst (SOCKET_EVENT_BURST, 60): the
  // flood guard is not what this case is about.
  const sockets = await Promise.all(Array.from({ length: Math.max(2, Math.ceil((count * 0.75) / 40)) }, () => api.connect(sender.token)));
  const receiverSocket = await api.connect(receiver.token);
  const deliveries = new Map<string, number>();
  receiverSocket.on('message:new', (message) => deliveries.set(message.id, (deliveries.get(message.id) ?? 0) + 1));
  const clientMsgId = randomUUID();
  const payload = { roomId, clientMsgId, body: 'once, and only once' };

  const ids = new Set<string>();
  let answered = 0;
  let refused = 0;
  const refusals: Record<string, number> = {};
  const refuse = (why: string) => {
    refused += 1;
    refusals[why] = (refusals[why] ?? 0) + 1;
  };
  const sendOne = async (index: number) => {
    let id: string | undefined;
    if (index % 4 === 3) {
      const answer = await api.request('POST', `/api/v1/rooms/${roomId}/messages`, { token: sender.token, body: { clientMsgId, body: payload.body } });
      if (answer.status < 300) id = (answer.body as { message: Message }).message.id;
      else refuse(`rest ${answer.status} ${(answer.body as { error?: { code?: string } })?.error?.code ?? ''}`.trim());
    } else {
      const ack = (await sockets[index % sockets.length]!.timeout(10_000).emitWithAck('message:send', payload).catch(() => undefined)) as Ack<{ message: Message }> | undefined;
      if (ack?.ok) id = ack.message.id;
      else refuse(ack ? `socket ${ack.error.code}` : 'socket no answer');
    }
    if (id) {
      answered += 1;
      ids.add(id);
    }
  };
  const concurrency = 50;
  for (let start = 0; start < count; start += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, count - start) }, (_, offset) => sendOne(start + offset)));
  }

  const rows = async () =>
    Number(
      (await db.query<{ count: string }>('SELECT count(*) AS count FROM chat.messages WHERE sender_id = $1 AND client_msg_id = $2', [sender.userId, clientMsgId])).rows[0]?.count ?? 0,
    );
  await until(async () => (await rows()) > 0, 30_000, 250);
  await sleep(1_000);
  const stored = await rows();
  const delivered = [...deliveries.values()].reduce((sum, value) => sum + value, 0);
  for (const socket of [...sockets, receiverSocket]) socket.close();

  expectThat(problems, ids.size === 1, `${ids.size} different messages for one clientMsgId`);
  expectThat(problems, stored === 1, `${stored} rows stored for one clientMsgId`);
  expectThat(problems, delivered === 1, `the other member received it ${delivered} times`);
  expectThat(problems, refused === 0, `${refused} sends were refused or unanswered (${Object.entries(refusals).map(([why, n]) => `${n}× ${why}`).join(', ')})`);
  // A duplicate row or delivery is an accepted repeat; a missing one a lost message.
  const extra = Math.max(0, ids.size - 1) + Math.max(0, stored - 1) + Math.max(0, delivered - 1);
  const missing = stored === 0 || delivered === 0 ? 1 : 0;
  return caseResult(
    { name: `idempotency ×${count}`, unit: 'sends of one clientMsgId', tried: count, accepted: extra, lost: missing, figures: { answered, distinctMessages: ids.size, rowsStored: stored, deliveries: delivered, refused } },
    problems,
  );
}
