import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@parley/contracts';
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

/** One socket.io client per user, every `message:new` reported to the ledger. */
export class SocketFleet {
  readonly sockets: ChatClientSocket[] = [];
  connectErrors = 0;
  disconnects = 0;
  reconnects = 0;
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
      socket.on('message:new', (message) => ledger.recordDelivery(index, message, performance.now()));
      socket.on('disconnect', () => {
        // Our own close() at the end is not a disconnect worth reporting.
        if (!this.closing) this.disconnects += 1;
        ledger.socketDisconnected(index);
      });
      socket.io.on('reconnect', () => {
        this.reconnects += 1;
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
    for (const socket of this.sockets) socket?.disconnect();
  }
}
