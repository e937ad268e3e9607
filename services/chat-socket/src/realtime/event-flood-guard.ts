import { RateLimitedError, toAckError } from '@parley/errors';
import type { ChatSocket } from './socket-types.js';

export interface FloodGuardSettings {
  eventsPerSecond: number;
  burst: number;
  /** Dropped events within the window after which the socket is disconnected. */
  disconnectAfter: number;
  windowMs?: number;
  onDisconnect?: () => void;
  /** Called with the name of every event the guard drops (counted: every drop is seen). */
  onRefused?: (event: unknown) => void;
}

/**
 * A local token bucket over all events of one socket. Over-limit events are dropped (acked
 * `rate_limited` when they carry an ack); a socket that keeps flooding is disconnected.
 */
export function installFloodGuard(socket: ChatSocket, settings: FloodGuardSettings): void {
  const windowMs = settings.windowMs ?? 10_000;
  let tokens = settings.burst;
  let refilledAt = Date.now();
  let dropped = 0;
  let windowStart = refilledAt;

  socket.use((event, next) => {
    const now = Date.now();
    tokens = Math.min(settings.burst, tokens + ((now - refilledAt) * settings.eventsPerSecond) / 1000);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      next();
      return;
    }
    if (now - windowStart > windowMs) {
      windowStart = now;
      dropped = 0;
    }
    dropped += 1;
    settings.onRefused?.(event[0]);
    const ack = event.at(-1);
    if (typeof ack === 'function') (ack as (result: unknown) => void)(toAckError(new RateLimitedError(1, 'Too many events, slow down')));
    if (dropped >= settings.disconnectAfter && socket.connected) {
      settings.onDisconnect?.();
      socket.disconnect(true);
    }
  });
}
