import { randomUUID } from 'node:crypto';
import { GAP_FILL_MAX_DELAY_MS, type Ack, type Message } from '@parley/contracts';
import type { AdversarialPlatform } from '../adversarial-platform.js';
import { caseResult, expectThat, type CaseResult } from '../case-result.js';
import { sleep, until, type ClientSocket, type PlatformApi } from '../clients/platform-api.js';
import { RoomMember } from '../clients/room-member.js';

export interface AwayDuringCatchUpSettings {
  /** Messages sent to the room while the client is away and PostgreSQL is down (more than RECENT_WINDOW_SIZE). */
  messages: number;
}

/**
 * A member is away (disconnected) while PostgreSQL is down and their room receives more
 * messages than the recent window holds; they come back right after the database does, while
 * the worker is still catching up, and fill the gap with `room:sync` by sequence as the web
 * client does. Every acknowledged message must end up with them without a reload.
 */
export async function awayDuringCatchUpCase(platform: AdversarialPlatform, api: PlatformApi, settings: AwayDuringCatchUpSettings): Promise<CaseResult> {
  const problems: string[] = [];
  const sender = await api.register('away_sender');
  const away = await api.register('away_member');
  const roomId = await api.createRoom(sender, 'busy while away', [away.userId]);
  const member = new RoomMember(api, away, roomId);
  await member.connected();
  // Five sockets keep each under the per-socket event rate.
  const sockets = await Promise.all(Array.from({ length: 5 }, () => api.connect(sender.token)));
  const acked: string[] = [];
  let unacked = 0;
  const send = async (socket: ClientSocket, count: number) => {
    for (let index = 0; index < count; index += 1) {
      const ack = (await socket.timeout(10_000).emitWithAck('message:send', { roomId, clientMsgId: randomUUID(), body: `while away ${index}` }).catch(() => undefined)) as
        | Ack<{ message: Message }>
        | undefined;
      if (ack?.ok) acked.push(ack.message.id);
      else unacked += 1;
      await sleep(45);
    }
  };
  await Promise.all(sockets.map((socket) => send(socket, 4)));
  await until(() => member.holdsAll(acked), 10_000);

  member.socket.disconnect();
  await platform.postgres.stop('fast');
  const perSocket = Math.ceil(settings.messages / sockets.length);
  await Promise.all(sockets.map((socket) => send(socket, perSocket)));
  await platform.postgres.start();
  const back = Date.now();
  member.socket.connect();
  await member.connected();
  await member.resync();

  const stored = async () =>
    Number((await platform.db.query<{ count: string }>('SELECT count(*) AS count FROM chat.messages WHERE id = ANY($1::bigint[])', [acked]).catch(() => ({ rows: [{ count: '-1' }] }))).rows[0]?.count);
  await until(async () => (await stored()) === acked.length, 180_000, 500);
  const caughtUpMs = Date.now() - back;
  // The gap filler asks again at most a minute apart (GAP_FILL_MAX_DELAY_MS): give it that long
  // after everything is stored, and a little more.
  await until(() => member.holdsAll(acked), GAP_FILL_MAX_DELAY_MS + 15_000, 200);
  const heldAllMs = Date.now() - back;
  const persisted = await stored();
  const missing = member.missing(acked);
  for (const socket of sockets) socket.close();
  member.close();
  expectThat(problems, unacked === 0, `${unacked} sends were not acknowledged`);
  expectThat(problems, missing === 0, `the returning member lacks ${missing} acknowledged messages (neither stored nor in the recent window when it asked, and given up on)`);
  return caseResult(
    {
      name: 'fault: away during catch-up',
      unit: 'sends',
      tried: acked.length + unacked,
      accepted: acked.length,
      lost: acked.length - persisted + missing,
      ...(missing === 0 ? { recoverMs: heldAllMs } : {}),
      figures: { persisted, missingAtMember: missing, filledBySync: member.filledBySync, workerCaughtUpMs: caughtUpMs },
    },
    problems,
    'fault',
  );
}
