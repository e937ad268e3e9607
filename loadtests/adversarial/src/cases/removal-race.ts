import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Ack, Message, RoomSyncResult } from '@parley/contracts';
import { caseResult, expectThat, type CaseResult } from '../case-result.js';
import { handshakeOutcome, sleep, until, type Account, type ClientSocket, type PlatformApi } from '../clients/platform-api.js';

/** How the victim is put out: removed from the room, every session revoked, the account deleted. */
export const REMOVAL_KINDS = ['member removal', 'sessions revoked', 'account deletion'] as const;
export type RemovalKind = (typeof REMOVAL_KINDS)[number];

export interface RemovalRaceSettings {
  /** Rounds of each kind, each with a fresh victim. */
  roundsPerKind: number;
  /** Victim sockets opened per round, one after another across `spreadMs`. */
  socketsPerRound: number;
  /** The connects are spread over this long; the removal is sent half-way through. */
  spreadMs: number;
}

const SEND_EVERY_MS = 60;
/** After the removal settled, both sides keep going this long: what reaches the victim then is a leak. */
const AFTER_MS = 800;
const CLOSE_WAIT_MS = 5_000;

/** One of the victim's sockets: connecting, then syncing, trying to join and sending until the round ends. */
class RacingSocket {
  readonly startedAt = Date.now();
  outcome: string | undefined;
  connectedAt: number | undefined;
  closedAt: number | undefined;
  readonly received: string[] = [];
  readonly sends: Array<{ at: number; clientMsgId: string; acked: boolean }> = [];
  readonly reads: Array<{ at: number; allowed: boolean }> = [];
  private running = true;

  constructor(
    private readonly api: PlatformApi,
    private readonly victim: Account,
    private readonly roomId: string,
  ) {
    const socket = api.socket(victim.token);
    socket.on('message:new', (message) => {
      if (message.roomId === roomId) this.received.push(message.body);
    });
    socket.on('disconnect', () => (this.closedAt ??= Date.now()));
    void handshakeOutcome(socket).then((outcome) => {
      this.outcome = outcome;
      if (outcome !== 'connected') {
        socket.close();
        return;
      }
      this.connectedAt = Date.now();
      void this.act(socket);
    });
    this.stop = () => {
      this.running = false;
      socket.close();
    };
  }

  readonly stop: () => void;

  get open(): boolean {
    return this.connectedAt !== undefined && this.closedAt === undefined;
  }

  /** Right after connecting: read the room (socket and REST join), then send until stopped. */
  private async act(socket: ClientSocket): Promise<void> {
    const at = Date.now();
    void (socket.timeout(5_000).emitWithAck('room:sync', { rooms: [{ roomId: this.roomId, afterSeq: 0 }] }) as Promise<Ack<RoomSyncResult>>)
      .then((answer) => this.reads.push({ at, allowed: answer.ok && answer.rooms.some((room) => room.messages.length > 0) }))
      .catch(() => undefined);
    void this.api
      .request('POST', `/api/v1/rooms/${this.roomId}/join`, { token: this.victim.token })
      .then((answer) => this.reads.push({ at, allowed: answer.status < 400 }))
      .catch(() => undefined);
    while (this.running && socket.connected) {
      const send = { at: Date.now(), clientMsgId: randomUUID(), acked: false };
      this.sends.push(send);
      (socket.timeout(5_000).emitWithAck('message:send', { roomId: this.roomId, clientMsgId: send.clientMsgId, body: 'am I still in?' }) as Promise<Ack<{ message: Message }>>)
        .then((ack) => (send.acked = ack.ok))
        .catch(() => undefined);
      await sleep(SEND_EVERY_MS);
    }
  }
}

interface RoundFigures {
  tried: number;
  accepted: number;
  sockets: number;
  connectsBefore: number;
  connectsAfter: number;
  refused: number;
  deliveredBefore: number;
  leakedDeliveries: number;
  sendsAcceptedAfter: number;
  readsAllowedAfter: number;
  leftOpen: number;
  problems: string[];
}

/** Puts the victim out the way `kind` says; resolves once the platform answered. */
async function putOut(api: PlatformApi, kind: RemovalKind, owner: Account, victim: Account, roomId: string): Promise<void> {
  if (kind === 'member removal') await api.expect([200, 204], 'DELETE', `/api/v1/rooms/${roomId}/members/${victim.userId}`, { token: owner.token });
  else if (kind === 'sessions revoked') await api.expect([204], 'POST', '/api/v1/auth/logout-all', { token: victim.token, body: {} });
  else await api.expect([204], 'DELETE', '/api/v1/auth/account', { token: victim.token, body: { password: victim.password } });
}

/**
 * One round: the owner keeps talking in a private room; the victim's sockets connect one after
 * another while the victim is put out half-way, each syncing the room, trying to join it and
 * sending as soon as it is in. Once the removal settled (answered; for a revocation, every
 * socket of the victim closed), the victim must receive none of the owner's later messages, and
 * no send, read or join of the victim after the answer may be accepted or stored.
 */
async function round(api: PlatformApi, db: pg.Pool, kind: RemovalKind, owner: Account, settings: RemovalRaceSettings): Promise<RoundFigures> {
  const problems: string[] = [];
  const victim = await api.register('race');
  const roomId = await api.createRoom(owner, `race ${kind}`, [victim.userId]);
  const ownerSocket = await api.connect(owner.token);
  const ownerSent = new Map<string, number>();
  const ownerAcked: string[] = [];
  let talking = true;
  const talk = (async () => {
    for (let index = 0; talking; index += 1) {
      const body = `owner ${index}`;
      ownerSent.set(body, Date.now());
      (ownerSocket.timeout(5_000).emitWithAck('message:send', { roomId, clientMsgId: randomUUID(), body }) as Promise<Ack<{ message: Message }>>)
        .then((ack) => ack.ok && ownerAcked.push(ack.message.id))
        .catch(() => undefined);
      await sleep(SEND_EVERY_MS / 2);
    }
  })();

  // Connects go on while the removal is on its way, and for half the spread after it answered
  // (at most twice the round's sockets, when the answer is slow).
  const sockets: RacingSocket[] = [];
  const every = settings.spreadMs / settings.socketsPerRound;
  let answeredAt: number | undefined;
  const connecting = (async () => {
    while (sockets.length < settings.socketsPerRound || answeredAt === undefined || Date.now() - answeredAt < settings.spreadMs / 2) {
      if (sockets.length >= settings.socketsPerRound * 2) break;
      sockets.push(new RacingSocket(api, victim, roomId));
      await sleep(every);
    }
  })();
  await sleep(settings.spreadMs / 2);
  await putOut(api, kind, owner, victim, roomId);
  answeredAt = Date.now();
  await connecting;
  await until(() => sockets.every((socket) => socket.outcome !== undefined), 15_000, 20);

  let settledAt = answeredAt;
  let leftOpen = 0;
  if (kind !== 'member removal') {
    await until(() => sockets.every((socket) => !socket.open), CLOSE_WAIT_MS, 10);
    leftOpen = sockets.filter((socket) => socket.open).length;
    settledAt = Math.max(answeredAt, ...sockets.map((socket) => socket.closedAt ?? 0));
  }
  await sleep(AFTER_MS);
  talking = false;
  await talk;
  await sleep(300);
  for (const socket of sockets) socket.stop();
  ownerSocket.close();

  const sentAfter = (body: string) => (ownerSent.get(body) ?? 0) > settledAt;
  const deliveredBefore = sockets.reduce((sum, socket) => sum + socket.received.filter((body) => !sentAfter(body)).length, 0);
  const leakedDeliveries = sockets.reduce((sum, socket) => sum + socket.received.filter(sentAfter).length, 0);
  const ownerAfter = [...ownerSent.values()].filter((at) => at > settledAt).length;
  const listening = sockets.filter((socket) => socket.connectedAt !== undefined && (socket.closedAt ?? Infinity) > settledAt).length;

  const victimSendsAfter = sockets.flatMap((socket) => socket.sends.filter((send) => send.at > answeredAt));
  // Stored counts too (an ack can be lost): once the owner's last message is stored, so is anything accepted before it.
  const lastOwnerMessage = ownerAcked.at(-1);
  if (lastOwnerMessage) {
    const stored = async () => Number((await db.query<{ count: string }>('SELECT count(*) AS count FROM chat.messages WHERE id = $1::bigint', [lastOwnerMessage])).rows[0]?.count ?? 0) > 0;
    expectThat(problems, await until(stored, 15_000, 100), `${kind}: the owner's messages were not stored within 15 s`);
  }
  const { rows } = await db.query<{ client_msg_id: string }>('SELECT client_msg_id::text AS client_msg_id FROM chat.messages WHERE room_id = $1 AND sender_id = $2', [roomId, victim.userId]);
  const storedIds = new Set(rows.map((row) => row.client_msg_id));
  const sendsAcceptedAfter = victimSendsAfter.filter((send) => send.acked || storedIds.has(send.clientMsgId)).length;
  const readsAfter = sockets.flatMap((socket) => socket.reads.filter((read) => read.at > answeredAt));
  const readsAllowedAfter = readsAfter.filter((read) => read.allowed).length;

  const connectsBefore = sockets.filter((socket) => socket.connectedAt !== undefined && socket.connectedAt <= answeredAt).length;
  const connectsAfter = sockets.filter((socket) => socket.connectedAt !== undefined && socket.connectedAt > answeredAt).length;
  const refused = sockets.filter((socket) => socket.outcome !== 'connected').length;
  // Without deliveries before the removal the channel was never live, and the round proves nothing.
  expectThat(problems, deliveredBefore > 0, `${kind}: the victim's sockets received nothing even before the removal`);
  expectThat(problems, connectsBefore > 0, `${kind}: no victim socket connected before the removal`);
  if (kind === 'member removal') expectThat(problems, connectsAfter > 0, `${kind}: no victim socket connected after the removal (nothing raced it)`);
  else expectThat(problems, refused > 0, `${kind}: no victim handshake came after the revocation (nothing raced it)`);
  if (leakedDeliveries > 0) problems.push(`${kind}: ${leakedDeliveries} of the owner's messages sent after the removal settled reached the victim`);
  if (sendsAcceptedAfter > 0) problems.push(`${kind}: ${sendsAcceptedAfter} of the victim's sends after the removal were accepted or stored`);
  if (readsAllowedAfter > 0) problems.push(`${kind}: ${readsAllowedAfter} room reads or joins by the victim after the removal were allowed`);
  if (leftOpen > 0) problems.push(`${kind}: ${leftOpen} victim sockets still open ${CLOSE_WAIT_MS} ms after the revocation`);
  return {
    tried: sockets.length + victimSendsAfter.length + readsAfter.length + ownerAfter * listening,
    accepted: leakedDeliveries + sendsAcceptedAfter + readsAllowedAfter + leftOpen,
    sockets: sockets.length,
    connectsBefore,
    connectsAfter,
    refused,
    deliveredBefore,
    leakedDeliveries,
    sendsAcceptedAfter,
    readsAllowedAfter,
    leftOpen,
    problems,
  };
}

/**
 * Sockets connecting while their user is put out of a room: removed by the owner, every session
 * revoked (logout-all), or the account deleted, with many connects, reads, joins and sends
 * racing it. Tried: the victim's connects, its sends, reads and joins after the removal, and the
 * owner's later messages times the victim's sockets that could have received them.
 */
export async function removalRaceCase(api: PlatformApi, db: pg.Pool, owner: Account, settings: RemovalRaceSettings): Promise<CaseResult> {
  const rounds: Array<RoundFigures & { kind: RemovalKind }> = [];
  for (let index = 0; index < settings.roundsPerKind; index += 1) {
    for (const kind of REMOVAL_KINDS) rounds.push({ kind, ...(await round(api, db, kind, owner, settings)) });
  }
  const sum = (pick: (figures: RoundFigures) => number, kind?: RemovalKind) => rounds.filter((one) => kind === undefined || one.kind === kind).reduce((total, one) => total + pick(one), 0);
  return caseResult(
    {
      name: 'removal races',
      unit: 'connects, late sends/reads, later messages × sockets',
      tried: sum((one) => one.tried),
      accepted: sum((one) => one.accepted),
      lost: 0,
      figures: {
        rounds: rounds.length,
        sockets: sum((one) => one.sockets),
        connectedBeforeRemoval: sum((one) => one.connectsBefore),
        connectedAfterRemoval: sum((one) => one.connectsAfter, 'member removal'),
        handshakesRefusedAfterRevocation: sum((one) => one.refused, 'sessions revoked') + sum((one) => one.refused, 'account deletion'),
        deliveredBeforeRemoval: sum((one) => one.deliveredBefore),
        leakedDeliveries: sum((one) => one.leakedDeliveries),
        sendsAcceptedAfter: sum((one) => one.sendsAcceptedAfter),
        readsAllowedAfter: sum((one) => one.readsAllowedAfter),
        socketsLeftOpen: sum((one) => one.leftOpen),
      },
    },
    rounds.flatMap((one) => one.problems),
  );
}
