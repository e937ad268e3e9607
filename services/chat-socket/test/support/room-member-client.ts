import { randomBytes, randomUUID } from 'node:crypto';
import { io as connectClient } from 'socket.io-client';
import { RoomGapFiller, type Ack, type Message } from '@parley/contracts';
import type { AckLedger, FaultRig, ServiceProcess } from '@parley/testing';
import type { ClientSocket, TestUser } from './chat-cluster.js';

/**
 * A chat client as the web client and the load generators behave: one socket (socket.io
 * reconnects it), every message it sees goes through a RoomGapFiller, `server:resync` and every
 * reconnection make it ask `room:sync` by sequence, and a send is retried with the same
 * clientMsgId until it is acknowledged.
 */
export class RoomMemberClient {
  readonly socket: ClientSocket;
  /** Every message of the room this client holds, by id. */
  readonly held = new Map<string, Message>();
  /** Of those, how many only a sync brought (their live delivery was missed). */
  filledBySync = 0;
  /** When a sync last brought a message this client had missed (ms since epoch; 0: never). */
  lastFilledAt = 0;
  resyncRequests = 0;
  private readonly filler: RoomGapFiller;

  constructor(
    url: string,
    readonly user: TestUser,
    readonly roomId: string,
  ) {
    this.socket = connectClient(url, { auth: { token: user.token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1_000 });
    this.filler = new RoomGapFiller({
      settleMs: 300,
      sync: async (rooms) => {
        const answer = (await this.socket.timeout(5_000).emitWithAck('room:sync', { rooms }).catch(() => undefined)) as Ack<{ rooms: Array<{ roomId: string; messages: Message[]; hasMore: boolean }> }> | undefined;
        return answer?.ok ? answer.rooms : undefined;
      },
      received: (messages) => {
        for (const message of messages) {
          if (this.held.has(message.id)) continue;
          this.filledBySync += 1;
          this.lastFilledAt = Date.now();
        }
        this.hold(messages);
      },
    });
    this.filler.track(roomId, 0);
    this.socket.on('message:new', (message) => this.see([message]));
    this.socket.on('server:resync', ({ delayMs }) => {
      this.resyncRequests += 1;
      setTimeout(() => void this.filler.resyncAll(), Math.random() * delayMs);
    });
    this.socket.io.on('reconnect', () => void this.filler.resyncAll());
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  /** Whether it holds every one of these message ids. */
  holdsAll(ids: Iterable<string>): boolean {
    for (const id of ids) if (!this.held.has(id)) return false;
    return true;
  }

  /**
   * Sends one message, retrying with the same clientMsgId (after an error or no ack within
   * `ackTimeoutMs`) until it is acknowledged or `deadline` passes.
   */
  async send(body: string, deadline: number, ackTimeoutMs = 3_000): Promise<{ message?: Message; attempts: number; ackedAt?: number }> {
    const clientMsgId = randomUUID();
    let attempts = 0;
    while (Date.now() < deadline) {
      attempts += 1;
      const ack = (await this.socket
        .timeout(ackTimeoutMs)
        .emitWithAck('message:send', { roomId: this.roomId, clientMsgId, body })
        .catch(() => undefined)) as Ack<{ message: Message }> | undefined;
      if (ack?.ok) {
        this.see([ack.message]);
        return { message: ack.message, attempts, ackedAt: Date.now() };
      }
      const retryAfterMs = ack && !ack.ok && ack.error.code === 'rate_limited' ? 1_000 : 250;
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    }
    return { attempts };
  }

  close(): void {
    this.filler.close();
    this.socket.close();
  }

  private see(messages: Message[]): void {
    this.hold(messages);
    this.filler.observe(messages);
  }

  private hold(messages: Message[]): void {
    for (const message of messages) if (message.roomId === this.roomId) this.held.set(message.id, message);
  }
}

export type SendOutcome = Awaited<ReturnType<RoomMemberClient['send']>>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rooms of `members` each, created through the first pod, whose members are connected
 * alternately to each pod (every room spans the pods).
 */
export async function membersAcrossPods(rig: FaultRig, pods: ServiceProcess[], rooms: number, members: number, name: string): Promise<RoomMemberClient[]> {
  const clients: RoomMemberClient[] = [];
  for (let room = 0; room < rooms; room += 1) {
    const users: TestUser[] = [];
    for (let member = 0; member < members; member += 1) users.push(await rig.user(name));
    const roomId = await rig.createRoom(pods[0]!, users[0]!, users.slice(1), `${name} ${room}`);
    users.forEach((user, index) => clients.push(new RoomMemberClient(pods[index % pods.length]!.url, user, roomId)));
  }
  await Promise.all(clients.map((client) => client.connected()));
  return clients;
}

/**
 * Every client sends one message every `intervalMs` (the clients staggered over the interval)
 * while `keepGoing()`; each send retries until `deadline`. Resolves with every send's outcome.
 */
export async function sendSteadily(clients: RoomMemberClient[], settings: { intervalMs: number; keepGoing: () => boolean; deadline: number }): Promise<SendOutcome[]> {
  const sends: Array<Promise<SendOutcome>> = [];
  await Promise.all(
    clients.map(async (client, index) => {
      await pause((index * settings.intervalMs) / clients.length);
      for (let sequence = 0; settings.keepGoing(); sequence += 1) {
        sends.push(client.send(`${client.user.username} #${sequence} ${randomBytes(4).toString('hex')}`, settings.deadline));
        await pause(settings.intervalMs);
      }
    }),
  );
  return Promise.all(sends);
}

/** The clients that lack an acknowledged message of their room, as `name: held of acknowledged`. */
export function incompleteClients(clients: RoomMemberClient[], ledger: AckLedger): string[] {
  return clients.filter((client) => !client.holdsAll(ledger.ofRoom(client.roomId))).map((client) => `${client.user.username}: ${client.held.size} of ${ledger.ofRoom(client.roomId).size}`);
}
