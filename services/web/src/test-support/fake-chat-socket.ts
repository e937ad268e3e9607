import type { ChatSocket } from '../connection/socket-client';

type Listener = (...args: unknown[]) => void;
type AckHandler = (payload: unknown) => unknown;

/**
 * Test stand-in for the socket.io client: records emits, lets a test answer acks (`onAck`)
 * and play server events (`serverEmits`) and connection changes. Only what the client uses.
 */
export class FakeChatSocket {
  connected = false;
  active = false;
  connects = 0;
  disconnects = 0;
  readonly emitted: Array<{ event: string; payload: unknown }> = [];
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly managerListeners = new Map<string, Set<Listener>>();
  private readonly ackHandlers = new Map<string, AckHandler>();

  readonly io = {
    on: (event: string, listener: Listener) => add(this.managerListeners, event, listener),
    off: (event: string, listener: Listener) => this.managerListeners.get(event)?.delete(listener),
  };

  on(event: string, listener: Listener): this {
    add(this.listeners, event, listener);
    return this;
  }

  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }

  connect(): this {
    this.connects += 1;
    return this;
  }

  disconnect(): this {
    this.disconnects += 1;
    if (this.connected) {
      this.connected = false;
      this.fire('disconnect', 'io client disconnect');
    }
    return this;
  }

  emit(event: string, payload: unknown): this {
    this.emitted.push({ event, payload });
    return this;
  }

  timeout(_ms: number) {
    return {
      emitWithAck: async (event: string, payload: unknown) => {
        this.emitted.push({ event, payload });
        const handler = this.ackHandlers.get(event);
        if (!handler) throw new Error('operation has timed out');
        return handler(payload);
      },
    };
  }

  /** How the "server" answers an acknowledged event. */
  onAck(event: string, handler: AckHandler): void {
    this.ackHandlers.set(event, handler);
  }

  /** The connection comes up (socket.io emits `connect`). */
  serverAccepts(): void {
    this.connected = true;
    this.fire('connect');
  }

  /** The network drops: socket.io reports it and keeps reconnecting by itself. */
  networkDrops(): void {
    this.connected = false;
    this.active = true;
    this.fire('disconnect', 'transport close');
  }

  serverEmits(event: string, ...args: unknown[]): void {
    this.fire(event, ...args);
  }

  emittedOf(event: string): unknown[] {
    return this.emitted.filter((entry) => entry.event === event).map((entry) => entry.payload);
  }

  asSocket(): ChatSocket {
    return this as unknown as ChatSocket;
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }
}

function add(map: Map<string, Set<Listener>>, event: string, listener: Listener): void {
  const set = map.get(event) ?? new Set<Listener>();
  set.add(listener);
  map.set(event, set);
}
