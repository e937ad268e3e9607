import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { RoomGapFiller, type ClientToServerEvents, type ServerToClientEvents } from '@parley/contracts';
import { forEachLimited } from './concurrency.js';
import type { CohortUser } from './cohort.js';
import type { DeliveryLedger } from './delivery-ledger.js';

export type ChatClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface FleetSettings {
  /** Socket.IO endpoints; socket i connects to `endpoints[i % length]` (the gateway, or each chat-socket process). */
  endpoints: string[];
  users: CohortUser[];
  ledger: DeliveryLedger;
  /** Handshakes in flight at once while connecting. */
  connectConcurrency?: number;
  connectTimeoutMs?: number;
}

const SYNC_TIMEOUT_MS = 10_000;

/**
 * One socket.io client per user, every `message:new` reported to the ledger. Each socket keeps
 * its room complete as real clients do: a RoomGapFiller asks `room:sync` by sequence for a gap
 * in what it received, after every reconnection and on `server:resync`; what that brings is
 * reported to the ledger as filled by sequence.
 */
export class SocketFleet {
  readonly sockets: ChatClientSocket[] = [];
  private readonly fillers: RoomGapFiller[] = [];
  connectErrors = 0;
  disconnects = 0;
  reconnects = 0;
  /** `server:resync` events received. */
  resyncs = 0;
  readonly handshakeMs: number[] = [];
  private closing = false;

  constructor(private readonly settings: FleetSettings) {}

  /** Connects every socket; rejects if one cannot connect within the timeout. */
  connectAll(onProgress?: (connected: number, total: number) => void): Promise<void> {
    return this.connectRange(0, this.settings.users.length, onProgress);
  }

  /** Connects the sockets of users `from` up to (not including) `end`. */
  async connectRange(from: number, end: number, onProgress?: (connected: number, total: number) => void): Promise<void> {
    const { users, endpoints, ledger } = this.settings;
    let connected = from;
    await forEachLimited(end - from, this.settings.connectConcurrency ?? 50, async (offset) => {
      const index = from + offset;
      const user = users[index]!;
      const socket: ChatClientSocket = io(endpoints[index % endpoints.length]!, {
        transports: ['websocket'],
        forceNew: true,
        // A callback, so reconnects use the current token (runs longer than its lifetime refresh it).
        auth: (callback) => callback({ token: user.accessToken }),
        reconnectionDelay: 500,
        reconnectionDelayMax: 5_000,
        timeout: this.settings.connectTimeoutMs ?? 20_000,
      });
      this.sockets[index] = socket;
      const filler = new RoomGapFiller({
        sync: async (rooms) => {
          const result = await socket.timeout(SYNC_TIMEOUT_MS).emitWithAck('room:sync', { rooms });
          return result.ok ? result.rooms : undefined;
        },
        received: (messages) => {
          const now = performance.now();
          for (const message of messages) ledger.recordDelivery(index, message, now, 'sync');
        },
      });
      // The run's rooms are new: complete from their first message on.
      filler.track(ledger.topology.roomIds[ledger.topology.socketRoom[index]!]!, 0);
      this.fillers[index] = filler;
      socket.on('message:new', (message) => {
        ledger.recordDelivery(index, message, performance.now());
        filler.observe([message]);
      });
      socket.on('server:resync', ({ delayMs }) => {
        this.resyncs += 1;
        setTimeout(() => void filler.resyncAll(), Math.random() * delayMs);
      });
      socket.on('disconnect', () => {
        // Our own close() at the end is not a disconnect worth reporting.
        if (!this.closing) this.disconnects += 1;
        ledger.socketDisconnected(index);
      });
      socket.io.on('reconnect', () => {
        this.reconnects += 1;
        void filler.resyncAll();
      });
      const startedAt = performance.now();
      let first = true;
      socket.on('connect', () => {
        ledger.socketConnected(index, performance.now());
        if (first) this.handshakeMs.push(performance.now() - startedAt);
        first = false;
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`socket ${index} did not connect within ${this.settings.connectTimeoutMs ?? 20_000} ms`)), this.settings.connectTimeoutMs ?? 20_000);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
          this.connectErrors += 1;
          if (error.data?.code === 'unauthorized') {
            clearTimeout(timer);
            reject(new Error(`socket ${index} was refused: ${error.message}`));
          }
        });
      });
      connected += 1;
      onProgress?.(connected, users.length);
    });
  }

  connectedCount(): number {
    let count = 0;
    for (const socket of this.sockets) if (socket?.connected) count += 1;
    return count;
  }

  close(): void {
    this.closing = true;
    for (const filler of this.fillers) filler?.close();
    for (const socket of this.sockets) socket?.disconnect();
  }
}
