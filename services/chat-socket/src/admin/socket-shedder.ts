import { randomInt } from 'node:crypto';
import type { ServerReconnectEvent } from '@parley/contracts';
import type { ChatServer, ChatSocket } from '../realtime/socket-types.js';

export interface SocketShedderSettings {
  io: ChatServer;
  /** Upper bound of the reconnect delay told to each client. */
  reconnectJitterMs: number;
  /** Sockets per batch, and the pause between batches. */
  batchSize?: number;
  batchPauseMs?: number;
}

/**
 * Moves local sockets away, gently: each gets `server:reconnect` with its own random delay
 * (so clients do not reconnect in one wave) and is then disconnected, in batches.
 */
export class SocketShedder {
  constructor(private readonly settings: SocketShedderSettings) {}

  localCount(): number {
    return this.settings.io.of('/').sockets.size;
  }

  /** Starts shedding up to `count` sockets in the background; returns how many. */
  shed(count: number, reason: ServerReconnectEvent['reason'] = 'rebalance'): number {
    const sockets = [...this.settings.io.of('/').sockets.values()].slice(0, count);
    void this.shedInBatches(sockets, reason);
    return sockets.length;
  }

  /** Tells every local socket to reconnect elsewhere (shutdown), without disconnecting yet. */
  announceAll(reason: ServerReconnectEvent['reason']): void {
    for (const socket of this.settings.io.of('/').sockets.values()) this.announce(socket, reason);
  }

  private async shedInBatches(sockets: ChatSocket[], reason: ServerReconnectEvent['reason']): Promise<void> {
    const batchSize = this.settings.batchSize ?? Math.max(1, Math.ceil(sockets.length / 10));
    const pauseMs = this.settings.batchPauseMs ?? 100;
    for (let start = 0; start < sockets.length; start += batchSize) {
      if (start > 0) await new Promise((resolve) => setTimeout(resolve, randomInt(pauseMs / 2, pauseMs + 1)));
      for (const socket of sockets.slice(start, start + batchSize)) {
        if (!socket.connected) continue;
        this.announce(socket, reason);
        socket.disconnect(true);
      }
    }
  }

  private announce(socket: ChatSocket, reason: ServerReconnectEvent['reason']): void {
    socket.emit('server:reconnect', { reason, delayMs: randomInt(0, this.settings.reconnectJitterMs + 1) });
  }
}
