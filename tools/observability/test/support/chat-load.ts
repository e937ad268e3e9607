import { randomUUID } from 'node:crypto';
import { io as connectClient, type Socket } from 'socket.io-client';

export interface LoadUser {
  id: string;
  token: string;
}

export interface ChatLoad {
  sockets: Socket[];
  /** Acks by outcome (`ok` or the error code; `timeout` when none came). */
  outcomes: Map<string, number>;
  /** The ids of the messages acknowledged `ok`, in the order the acks came. */
  acked: string[];
  /** Extra sockets that only connect (for a burst of drops); closed without a goodbye by `dropBurst`. */
  connectIdle(url: string, user: LoadUser, count: number): Promise<Socket[]>;
  /** Closes the sockets' transports abruptly: the server sees `transport close`, not a client disconnect. */
  dropBurst(sockets: Socket[]): void;
  stop(): Promise<void>;
}

export async function connect(url: string, token: string): Promise<Socket> {
  const socket = connectClient(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * A steady send load: every user has a socket (spread over the pods) and sends one message to
 * the room every `intervalMs`, with an ack timeout; outcomes are tallied, not asserted (during a
 * fault some sends are expected to fail).
 */
export async function startChatLoad(urls: string[], users: LoadUser[], roomId: string, intervalMs: number): Promise<ChatLoad> {
  const sockets = await Promise.all(users.map((user, index) => connect(urls[index % urls.length]!, user.token)));
  const outcomes = new Map<string, number>();
  const acked: string[] = [];
  const tally = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  const extra: Socket[] = [];
  const timers = sockets.map((socket, index) =>
    setInterval(
      () => {
        if (!socket.connected) return;
        socket
          .timeout(10_000)
          .emitWithAck('message:send', { roomId, clientMsgId: randomUUID(), body: `load ${index} ${Date.now()}` })
          .then(
            (ack: { ok: boolean; message?: { id: string }; error?: { code: string } }) => {
              if (ack.ok && ack.message) acked.push(ack.message.id);
              tally(ack.ok ? 'ok' : (ack.error?.code ?? 'error'));
            },
            () => tally('timeout'),
          );
      },
      intervalMs + index,
    ),
  );
  return {
    sockets,
    outcomes,
    acked,
    async connectIdle(url, user, count) {
      const opened = await Promise.all(Array.from({ length: count }, () => connect(url, user.token)));
      extra.push(...opened);
      return opened;
    },
    dropBurst(burst) {
      // engine.io's transport closed under socket.io: no disconnect packet reaches the server.
      for (const socket of burst) socket.io.engine.close();
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      for (const socket of [...sockets, ...extra]) socket.disconnect();
    },
  };
}
