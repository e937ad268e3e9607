import type { ConnectionStatus } from './connection-status';
import type { ChatSocket } from './socket-client';

export interface ChatConnectionHooks {
  status(status: ConnectionStatus): void;
  /** Every successful (re)connection: the place to fill in what was missed. */
  connected(): void;
  /** The handshake was refused for the token: renew it; false when the session is over. */
  renewToken(): Promise<boolean>;
}

interface ConnectError extends Error {
  data?: { code?: string };
}

/** How long a socket may take to accept a renewed token before it is reconnected with it instead. */
const TOKEN_HANDOVER_TIMEOUT_MS = 10_000;

/**
 * Keeps the socket connected for as long as the person is signed in: socket.io's own
 * reconnection for dropped connections; a renewed token when the handshake is refused as
 * unauthorized; a deliberate disconnect and reconnect after `server:reconnect`'s delay (a pod
 * draining or rebalancing); and the browser's offline/online events, which are quicker than
 * waiting for heartbeats to time out. Each renewed access token is handed to the connected
 * socket (`auth:refresh`): the server closes a socket whose token expires.
 */
export class ChatConnection {
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryDelayMs = 1_000;
  private stopped = false;
  private readonly onOffline = () => {
    this.hooks.status('offline');
    this.socket.disconnect();
  };
  private readonly onOnline = () => this.connectSoon(0);
  private readonly onReconnectAttempt = () => this.hooks.status('offline');

  constructor(
    private readonly socket: ChatSocket,
    private readonly hooks: ChatConnectionHooks,
    private readonly target: Pick<Window, 'addEventListener' | 'removeEventListener'> | undefined = typeof window === 'undefined' ? undefined : window,
  ) {}

  start(): void {
    const { socket, hooks } = this;
    this.stopped = false;
    socket.on('connect', () => {
      this.retryDelayMs = 1_000;
      hooks.status('online');
      hooks.connected();
    });
    socket.on('disconnect', (reason) => {
      if (this.stopped) return;
      hooks.status('offline');
      // Disconnected by the server (not a network drop): socket.io leaves reconnecting to us.
      if (reason === 'io server disconnect') this.connectSoon(this.nextRetryDelay());
    });
    socket.io.on('reconnect_attempt', this.onReconnectAttempt);
    socket.on('connect_error', (error: ConnectError) => {
      hooks.status('offline');
      // socket.io retries transport failures itself; a refusal by the server's middleware it does not.
      if (socket.active) return;
      if (error.data?.code === 'unauthorized') {
        void hooks.renewToken().then((renewed) => {
          if (renewed) this.connectSoon(0);
        });
      } else {
        this.connectSoon(this.nextRetryDelay());
      }
    });
    socket.on('server:reconnect', ({ delayMs }) => {
      socket.disconnect();
      hooks.status('offline');
      this.connectSoon(Math.max(0, delayMs));
    });
    this.target?.addEventListener('offline', this.onOffline);
    this.target?.addEventListener('online', this.onOnline);
    if (typeof navigator !== 'undefined' && navigator.onLine === false) hooks.status('offline');
    else socket.connect();
  }

  /**
   * Gives the connected socket a renewed access token so it stays open past the old one's
   * expiry. A socket that refuses it (say, a token of a new session) reconnects with it.
   */
  handOverToken(token: string): void {
    const { socket } = this;
    if (this.stopped || !socket.connected) return;
    socket
      .timeout(TOKEN_HANDOVER_TIMEOUT_MS)
      .emitWithAck('auth:refresh', { token })
      .then(
        (result) => {
          if (result.ok || this.stopped || !socket.connected) return;
          socket.disconnect();
          this.connectSoon(0);
        },
        () => undefined, // No answer: the connection is gone, and reconnecting presents the new token anyway.
      );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.target?.removeEventListener('offline', this.onOffline);
    this.target?.removeEventListener('online', this.onOnline);
    this.socket.io.off('reconnect_attempt', this.onReconnectAttempt);
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  private connectSoon(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped && !this.socket.connected) this.socket.connect();
    }, delayMs);
  }

  private nextRetryDelay(): number {
    const delay = this.retryDelayMs * (0.5 + Math.random());
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 15_000);
    return delay;
  }
}
