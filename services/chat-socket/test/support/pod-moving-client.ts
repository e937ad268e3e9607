import { randomUUID } from 'node:crypto';
import { io as connectClient } from 'socket.io-client';
import { RoomGapFiller, type Ack, type Message, type RoomSyncResult, type ServerReconnectEvent } from '@parley/contracts';
import type { ClientSocket, TestUser } from './chat-cluster.js';

/** One `message:send` as the pod answered it. */
export interface SendAttempt {
  clientMsgId: string;
  /** The pod the socket was on when the attempt was sent. */
  pod: string;
  startedAt: number;
  answeredAt: number;
  /** `ok`, the error code of an error ack, or `no-answer` (ack timeout or the socket went away). */
  outcome: string;
}

/** Picks the pod a socket (re)connects to, as a Kubernetes Service does by readiness. */
export type PodRouter = (current: string | undefined) => Promise<string>;

/**
 * A chat client as the web client behaves, across pods: every message it sees goes through a
 * RoomGapFiller (`server:resync` and every new socket make it ask `room:sync` by sequence),
 * a send is retried with the same clientMsgId until acknowledged, and `server:reconnect` makes
 * it reconnect after the delay the server told, through `route` (a ready pod). Every attempt is
 * recorded.
 */
export class PodMovingClient {
  socket!: ClientSocket;
  pod = '';
  readonly held = new Map<string, Message>();
  readonly attempts: SendAttempt[] = [];
  readonly reconnectEvents: Array<ServerReconnectEvent & { pod: string; at: number }> = [];
  /** Every pod this client was connected to, in order. */
  readonly pods: string[] = [];
  private readonly filler: RoomGapFiller;
  private closed = false;

  constructor(
    readonly user: TestUser,
    readonly roomId: string,
    private readonly route: PodRouter,
  ) {
    this.filler = new RoomGapFiller({
      settleMs: 300,
      sync: async (rooms) => {
        const answer = (await this.socket.timeout(5_000).emitWithAck('room:sync', { rooms }).catch(() => undefined)) as Ack<RoomSyncResult> | undefined;
        return answer?.ok ? answer.rooms : undefined;
      },
      received: (messages) => this.hold(messages),
    });
    this.filler.track(roomId, 0);
  }

  /** Connects to `pod` (or where `route` sends it) and resolves once connected. */
  async connectTo(pod?: string): Promise<void> {
    const target = pod ?? (await this.route(this.pod || undefined));
    const previous = this.socket as ClientSocket | undefined;
    previous?.removeAllListeners();
    previous?.io.removeAllListeners();
    previous?.close();
    const socket: ClientSocket = connectClient(target, {
      auth: { token: this.user.token },
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1_000,
    });
    this.socket = socket;
    this.pod = target;
    this.pods.push(target);
    socket.on('message:new', (message) => this.see([message]));
    socket.on('server:resync', ({ delayMs }) => setTimeout(() => void this.filler.resyncAll(), Math.random() * delayMs));
    socket.on('server:reconnect', (event) => {
      this.reconnectEvents.push({ ...event, pod: target, at: Date.now() });
      setTimeout(() => {
        if (!this.closed && this.socket === socket) void this.connectTo().catch(() => undefined);
      }, event.delayMs);
    });
    socket.io.on('reconnect', () => void this.filler.resyncAll());
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    void this.filler.resyncAll();
  }

  /** The whole timeline of the room, by `room:sync` from the start (every page). */
  async fullSync(): Promise<Message[] | undefined> {
    const timeline: Message[] = [];
    let afterSeq = 0;
    for (;;) {
      const answer = (await this.socket
        .timeout(10_000)
        .emitWithAck('room:sync', { rooms: [{ roomId: this.roomId, afterSeq }] })
        .catch(() => undefined)) as Ack<RoomSyncResult> | undefined;
      if (!answer?.ok) return undefined;
      const room = answer.rooms.find((entry) => entry.roomId === this.roomId);
      if (!room) return undefined;
      timeline.push(...room.messages);
      this.hold(room.messages);
      if (!room.hasMore || room.messages.length === 0) return timeline;
      afterSeq = room.messages[room.messages.length - 1]!.seq;
    }
  }

  /**
   * Sends one message, retrying with the same clientMsgId (after an error ack or no ack within
   * `ackTimeoutMs`) until it is acknowledged or `deadline` passes.
   */
  async send(body: string, deadline: number, ackTimeoutMs = 3_000): Promise<{ clientMsgId: string; message?: Message; ackedAt?: number }> {
    const clientMsgId = randomUUID();
    while (Date.now() < deadline && !this.closed) {
      const pod = this.pod;
      const startedAt = Date.now();
      const ack = (await this.socket
        .timeout(ackTimeoutMs)
        .emitWithAck('message:send', { roomId: this.roomId, clientMsgId, body })
        .catch(() => undefined)) as Ack<{ message: Message }> | undefined;
      const answeredAt = Date.now();
      this.attempts.push({ clientMsgId, pod, startedAt, answeredAt, outcome: ack ? (ack.ok ? 'ok' : ack.error.code) : 'no-answer' });
      if (ack?.ok) {
        this.see([ack.message]);
        return { clientMsgId, message: ack.message, ackedAt: answeredAt };
      }
      const retryAfterMs = ack && !ack.ok && ack.error.code === 'rate_limited' ? 1_000 : 250;
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    }
    return { clientMsgId };
  }

  close(): void {
    this.closed = true;
    this.filler.close();
    this.socket?.close();
  }

  private see(messages: Message[]): void {
    this.hold(messages);
    this.filler.observe(messages);
  }

  private hold(messages: Message[]): void {
    for (const message of messages) if (message.roomId === this.roomId) this.held.set(message.id, message);
  }
}
