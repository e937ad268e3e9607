import { randomUUID } from 'node:crypto';
import { RoomGapFiller, type Ack, type Message, type RoomSyncResult } from '@parley/contracts';
import { sleep, type Account, type ClientSocket, type PlatformApi } from './platform-api.js';

export interface SendOutcome {
  message?: Message;
  attempts: number;
  sentAt: number;
  ackedAt?: number;
}

/**
 * A chat client as the web client behaves: one socket through the gateway that socket.io
 * reconnects, every message it sees through a RoomGapFiller, `server:resync` and every
 * reconnection answered with `room:sync` by sequence, and a send retried with the same
 * clientMsgId until it is acknowledged. It never reloads: what it holds at the end is what a
 * user would see.
 */
export class RoomMember {
  readonly socket: ClientSocket;
  readonly held = new Map<string, Message>();
  filledBySync = 0;
  lastFilledAt = 0;
  resyncRequests = 0;
  reconnects = 0;
  private readonly filler: RoomGapFiller;

  constructor(
    api: PlatformApi,
    readonly account: Account,
    readonly roomId: string,
  ) {
    this.socket = api.socket(account.token, { reconnection: true });
    this.filler = new RoomGapFiller({
      settleMs: 300,
      sync: async (rooms) => {
        const answer = (await this.socket.timeout(5_000).emitWithAck('room:sync', { rooms }).catch(() => undefined)) as Ack<RoomSyncResult> | undefined;
        return answer?.ok ? answer.rooms : undefined;
      },
      received: (messages) => {
        for (const message of messages) {
          if (message.roomId !== this.roomId || this.held.has(message.id)) continue;
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
    this.socket.io.on('reconnect', () => {
      this.reconnects += 1;
      void this.filler.resyncAll();
    });
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  /** Asks `room:sync` for the room as the web client does after coming back (a reconnection it made itself). */
  resync(): Promise<void> {
    return this.filler.resyncAll();
  }

  holdsAll(ids: Iterable<string>): boolean {
    for (const id of ids) if (!this.held.has(id)) return false;
    return true;
  }

  missing(ids: Iterable<string>): number {
    let count = 0;
    for (const id of ids) if (!this.held.has(id)) count += 1;
    return count;
  }

  /** Sends one message, retrying with the same clientMsgId until acknowledged or `deadline`. */
  async send(body: string, deadline: number, ackTimeoutMs = 3_000): Promise<SendOutcome> {
    const clientMsgId = randomUUID();
    const sentAt = Date.now();
    let attempts = 0;
    while (Date.now() < deadline) {
      attempts += 1;
      const ack = (await this.socket
        .timeout(ackTimeoutMs)
        .emitWithAck('message:send', { roomId: this.roomId, clientMsgId, body })
        .catch(() => undefined)) as Ack<{ message: Message }> | undefined;
      if (ack?.ok) {
        this.see([ack.message]);
        return { message: ack.message, attempts, sentAt, ackedAt: Date.now() };
      }
      await sleep(ack && !ack.ok && ack.error.code === 'rate_limited' ? 1_000 : 250);
    }
    return { attempts, sentAt };
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
