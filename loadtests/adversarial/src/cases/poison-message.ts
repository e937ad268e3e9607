import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Ack, Message } from '@parley/contracts';
import { caseResult, expectThat, type CaseResult } from '../case-result.js';
import { until, type Account, type PlatformApi } from '../clients/platform-api.js';

/** Bodies PostgreSQL cannot store (NUL) or that are not text (other C0 controls, DEL). */
const POISON_BODIES = ['poison \u0000 here', '\u0000', 'a\u0000\u0000b', 'bell \u0007', 'escape \u001b[31m red', 'delete \u007f', 'form \u000c feed', 'vertical \u000b tab'];

/**
 * Bodies with NUL and other control characters sent in the middle of other users' messages to
 * the same room (so they would land in the same persistence batch): each is refused (400 over
 * REST, `invalid` over the socket), and every acknowledged message of the others is stored,
 * none dead-lettered.
 */
export async function poisonMessageCase(api: PlatformApi, db: pg.Pool, attacker: Account, others: Account[], messagesPerUser: number): Promise<CaseResult> {
  const problems: string[] = [];
  const roomId = await api.createRoom(others[0]!, 'poison', [attacker.userId, ...others.slice(1).map((other) => other.userId)]);
  const deadBefore = Number((await db.query<{ count: string }>('SELECT count(*) AS count FROM chat.message_dead_letters')).rows[0]?.count ?? 0);
  const attackerSocket = await api.connect(attacker.token);
  const sockets = await Promise.all(others.map((other) => api.connect(other.token)));

  const acked: string[] = [];
  let unacked = 0;
  const normalSends = sockets.map(async (socket, user) => {
    for (let index = 0; index < messagesPerUser; index += 1) {
      const ack = (await socket.timeout(10_000).emitWithAck('message:send', { roomId, clientMsgId: randomUUID(), body: `user ${user} message ${index}` }).catch(() => undefined)) as
        | Ack<{ message: Message }>
        | undefined;
      if (ack?.ok) acked.push(ack.message.id);
      else unacked += 1;
    }
  });
  let tried = 0;
  let accepted = 0;
  const answers: Record<string, number> = {};
  const poison = (async () => {
    for (let index = 0; index < messagesPerUser; index += 1) {
      const body = POISON_BODIES[index % POISON_BODIES.length]!;
      tried += 1;
      let outcome: string;
      if (index % 2 === 0) {
        const ack = (await attackerSocket.timeout(10_000).emitWithAck('message:send', { roomId, clientMsgId: randomUUID(), body }).catch(() => undefined)) as Ack<unknown> | undefined;
        outcome = ack === undefined ? 'socket no answer' : ack.ok ? 'socket ok' : `socket ${ack.error.code}`;
      } else {
        const answer = await api.request('POST', `/api/v1/rooms/${roomId}/messages`, { token: attacker.token, body: { clientMsgId: randomUUID(), body } });
        outcome = `rest ${answer.status}${answer.status >= 400 ? ` ${(answer.body as { error?: { code?: string } })?.error?.code}` : ''}`;
      }
      answers[outcome] = (answers[outcome] ?? 0) + 1;
      if (outcome === 'socket ok' || /^rest 2/.test(outcome)) accepted += 1;
      else if (outcome !== 'socket invalid' && outcome !== 'rest 400 invalid') problems.push(`poison answered ${outcome}`);
    }
  })();
  await Promise.all([...normalSends, poison]);

  const stored = async () => Number((await db.query<{ count: string }>('SELECT count(*) AS count FROM chat.messages WHERE id = ANY($1::bigint[])', [acked])).rows[0]?.count ?? 0);
  await until(async () => (await stored()) === acked.length, 30_000, 250);
  const persisted = await stored();
  const deadAfter = Number((await db.query<{ count: string }>('SELECT count(*) AS count FROM chat.message_dead_letters')).rows[0]?.count ?? 0);
  for (const socket of [attackerSocket, ...sockets]) socket.close();
  expectThat(problems, unacked === 0, `${unacked} of the other users' sends were not acknowledged`);
  expectThat(problems, deadAfter === deadBefore, `${deadAfter - deadBefore} messages dead-lettered`);
  return caseResult(
    {
      name: 'poison message (NUL)',
      unit: 'poison bodies',
      tried,
      accepted,
      lost: acked.length - persisted,
      figures: { othersAcked: acked.length, othersPersisted: persisted, deadLettered: deadAfter - deadBefore, answers: Object.entries(answers).map(([what, n]) => `${what}: ${n}`).join('; ') },
    },
    problems,
  );
}
