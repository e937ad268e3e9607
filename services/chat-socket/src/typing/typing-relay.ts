import type { TypingPayload } from '@parley/contracts';
import { roomChannel, userChannel } from '../realtime/channels.js';
import type { ChatServer, ChatSocket } from '../realtime/socket-types.js';

interface TypingState {
  isTyping: boolean;
  relayedAt: number;
  expiry: NodeJS.Timeout | undefined;
}

/**
 * Relays typing indicators to the room's other members (never to the sender's own sockets),
 * members only. Per user and room at most one relay per second unless the state flips, and
 * an indicator not renewed within the timeout is turned off by the server.
 */
export class TypingRelay {
  /** `userId:roomId` → state, for this pod's sockets. */
  private readonly states = new Map<string, TypingState>();

  constructor(
    private readonly io: ChatServer,
    private readonly timeoutMs: number,
    private readonly throttleMs = 1_000,
  ) {}

  handle(socket: ChatSocket, payload: TypingPayload): void {
    const { roomId, isTyping } = payload;
    // The socket is in the room channel exactly while the user is a member (kept in sync on every pod).
    if (!socket.rooms.has(roomChannel(roomId))) return;
    const userId = socket.data.userId;
    const key = `${userId}:${roomId}`;
    const state = this.states.get(key);
    const now = Date.now();
    if (!isTyping) {
      if (!state?.isTyping) return;
      this.stop(key, state, socket);
      return;
    }
    const fresh = state ?? { isTyping: false, relayedAt: 0, expiry: undefined };
    clearTimeout(fresh.expiry);
    fresh.expiry = setTimeout(() => this.stop(key, fresh, socket), this.timeoutMs);
    fresh.expiry.unref();
    this.states.set(key, fresh);
    if (fresh.isTyping && now - fresh.relayedAt < this.throttleMs) return;
    fresh.isTyping = true;
    fresh.relayedAt = now;
    this.relay(socket, roomId, true);
  }

  /** A disconnecting socket stops its user's indicators (when it was the one that set them). */
  socketGone(socket: ChatSocket): void {
    const prefix = `${socket.data.userId}:`;
    for (const [key, state] of this.states) {
      if (key.startsWith(prefix) && state.isTyping) this.stop(key, state, socket);
    }
  }

  stopAll(): void {
    for (const state of this.states.values()) clearTimeout(state.expiry);
    this.states.clear();
  }

  private stop(key: string, state: TypingState, socket: ChatSocket): void {
    clearTimeout(state.expiry);
    this.states.delete(key);
    if (state.isTyping) this.relay(socket, key.slice(key.indexOf(':') + 1), false);
  }

  private relay(socket: ChatSocket, roomId: string, isTyping: boolean): void {
    const userId = socket.data.userId;
    this.io.to(roomChannel(roomId)).except(userChannel(userId)).emit('typing', { roomId, userId, isTyping });
  }
}
