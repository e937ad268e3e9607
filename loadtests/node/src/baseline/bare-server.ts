import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import {
  messageSendPayloadSchema,
  roomSyncPayloadSchema,
  socketAuthSchema,
  type ClientToServerEvents,
  type Message,
  type ServerToClientEvents,
} from '@parley/contracts';

export interface BareServerSettings {
  redisUrl: string;
  /** Prefix of the adapter's channels and of the sequence keys (one per benchmark run). */
  keyPrefix: string;
  adapter: 'sharded' | 'classic';
  /** User id → the rooms the user is in (what Parley reads from PostgreSQL at the handshake). */
  membership: ReadonlyMap<string, readonly string[]>;
  /** Distinguishes the ids minted by each process. */
  processIndex: number;
}

export interface BareServer {
  port: number;
  close(): Promise<void>;
}

type BareIo = Server<ClientToServerEvents, ServerToClientEvents>;

/**
 * The baseline the fan-out benchmark compares Parley with: socket.io and its Redis adapter and
 * nothing else. No token check (`auth.token` is taken as the user id), no database, no queue, no
 * rate limit, no metrics. It speaks Parley's event names and payloads (the contracts' event maps),
 * so the load generator's clients run unchanged against it. The one thing it keeps is a per-room
 * sequence number (one Redis INCR per message): the clients' gap filler asks `room:sync` for
 * every gap in it, and any chat server with more than one process needs a shared order anyway.
 */
export async function startBareServer(settings: BareServerSettings): Promise<BareServer> {
  const publisher = new Redis(settings.redisUrl);
  const subscriber = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
  const sequences = new Redis(settings.redisUrl);
  // A Redis hiccup (a reconnection on a saturated machine) must not end the process: ioredis
  // reconnects by itself, as it does in Parley's pods, which count these errors.
  for (const connection of [publisher, subscriber, sequences]) connection.on('error', () => undefined);
  // Ready before the adapter subscribes: an SSUBSCRIBE queued ahead of the ready check puts the
  // connection in subscriber mode, and the check's INFO is then refused (an unhandled rejection).
  await Promise.all([publisher, subscriber, sequences].map((connection) => new Promise((resolve) => connection.once('ready', resolve))));
  const channelPrefix = `${settings.keyPrefix}socket.io`;
  const adapter =
    settings.adapter === 'sharded'
      ? createShardedAdapter(publisher, subscriber, { channelPrefix, subscriptionMode: 'dynamic' })
      : createAdapter(publisher, subscriber, { key: channelPrefix, requestsTimeout: 3_000 });
  const http = createServer();
  const io: BareIo = new Server(http, { adapter, serveClient: false, transports: ['websocket'], maxHttpBufferSize: 16_384 });

  // Time-ordered decimal ids like Parley's (the clients never parse them).
  let counter = 0;
  const nextId = () => String(BigInt(Date.now()) * 4096n + BigInt((counter++ % 1024) * 4 + settings.processIndex));

  io.use((socket, next) => {
    const auth = socketAuthSchema.safeParse(socket.handshake.auth);
    const rooms = auth.success ? settings.membership.get(auth.data.token) : undefined;
    if (!auth.success || !rooms) {
      next(Object.assign(new Error('unknown user'), { data: { code: 'unauthorized' } }));
      return;
    }
    socket.data = { userId: auth.data.token, rooms };
    void socket.join([...rooms]);
    next();
  });

  io.on('connection', (socket) => {
    const { userId, rooms } = socket.data as { userId: string; rooms: readonly string[] };
    socket.on('message:send', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = messageSendPayloadSchema.safeParse(payload);
      if (!parsed.success || !rooms.includes(parsed.data.roomId)) {
        ack({ ok: false, error: { code: 'invalid', message: 'not a message for one of your rooms' } });
        return;
      }
      const { roomId, clientMsgId, body } = parsed.data;
      sequences.incr(`${settings.keyPrefix}seq:${roomId}`).then(
        (seq) => {
          const message: Message = { id: nextId(), roomId, senderId: userId, clientMsgId, body, createdAt: new Date().toISOString(), seq };
          io.to(roomId).emit('message:new', message);
          ack({ ok: true, message });
        },
        () => ack({ ok: false, error: { code: 'unavailable', message: 'Redis did not answer' } }),
      );
    });
    // No history: a gap cannot be filled, and the answer says so (nothing for each room).
    socket.on('room:sync', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = roomSyncPayloadSchema.safeParse(payload);
      if (!parsed.success) {
        ack({ ok: false, error: { code: 'invalid', message: 'invalid room:sync payload' } });
        return;
      }
      ack({ ok: true, rooms: parsed.data.rooms.map((room) => ({ roomId: room.roomId, messages: [], hasMore: false })) });
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      for (const connection of [publisher, subscriber, sequences]) connection.disconnect();
    },
  };
}
