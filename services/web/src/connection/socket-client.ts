import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@parley/contracts';

/** The typed socket: every event and ack payload comes from @parley/contracts. */
export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ChatSocketOptions {
  /** Origin of chat-socket; the page's own origin (the ingress routes /socket.io) when omitted. */
  url?: string;
  /** Read at every (re)connection, so a renewed access token is always the one presented. */
  token: () => string | null;
}

/**
 * socket.io at `/socket.io`, WebSocket first with long-polling as the fallback, reconnecting
 * by itself with backoff. Not connected until `connect()`.
 */
export function createChatSocket(options: ChatSocketOptions): ChatSocket {
  const settings = {
    path: '/socket.io',
    autoConnect: false,
    transports: ['websocket', 'polling'],
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
    randomizationFactor: 0.5,
    withCredentials: true,
    auth: (callback: (data: object) => void) => callback({ token: options.token() ?? '' }),
  };
  return options.url ? io(options.url, settings) : io(settings);
}
