import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Message, ServerToClientEvents } from '@parley/contracts';
import { createLogger } from '@parley/logger';
import pg from 'pg';
import {
  createGroupRoom,
  createTestDatabase,
  createTestUser,
  deleteRedisPrefix,
  startTestTokenIssuer,
  startUserServiceStandIn,
  startWorkerProcess,
  TEST_ALLOWED_ORIGIN,
  TEST_INTERNAL_TOKEN,
  testRedisPrefix,
  testServiceEnv,
  type ServiceProcess,
  type TestDatabase,
  type TestTokenIssuer,
  type TestUser,
  type UserServiceStandIn,
} from '@parley/testing';
import { createChatSocketApp, type ChatSocketApp } from '../../src/app.js';
import { loadChatSocketConfig } from '../../src/config.js';

export { TEST_INTERNAL_TOKEN as INTERNAL_TOKEN, TEST_ALLOWED_ORIGIN as ALLOWED_ORIGIN } from '@parley/testing';
export type { TestUser } from '@parley/testing';
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface HttpResult {
  status: number;
  // Tests read arbitrary response fields.
  body: any;
}

/** One running chat-socket instance ("pod"). */
export interface ChatInstance {
  chat: ChatSocketApp;
  server: Server;
  url: string;
  /** The admin server (METRICS_PORT in production): /metrics, /healthz, /readyz. */
  adminServer: Server;
  adminUrl: string;
  stopped: boolean;
}

export interface ChatCluster {
  instances: ChatInstance[];
  issuer: TestTokenIssuer;
  userService: UserServiceStandIn;
  database: TestDatabase;
  /** A small pool on the cluster's database, for checks of what is stored. */
  db: pg.Pool;
  redisPrefix: string;
  /** The persistence worker, as its own built process, when asked for. */
  worker: ServiceProcess | undefined;
  user(name?: string): Promise<TestUser>;
  /** A group room of `owner` with `members`, created through the first instance; its id. */
  groupRoom(owner: TestUser, members?: TestUser[], name?: string): Promise<string>;
  /** Resolves once PostgreSQL holds every item of the room up to `seq` (the worker stored them); throws after a while. */
  storedUpTo(roomId: string, seq: number): Promise<void>;
  api(instance: ChatInstance | number, method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<HttpResult>;
  /** A connected socket.io client (WebSocket transport), closed by `close()`. */
  connect(instance: ChatInstance | number, user: TestUser, options?: { origin?: string }): Promise<ClientSocket>;
  /** Starts one more instance on the same PostgreSQL and Redis (optionally with other settings). */
  startInstance(env?: Record<string, string | undefined>): Promise<ChatInstance>;
  /** Stops an instance cleanly (close() without SIGTERM's drain). */
  stopInstance(instance: ChatInstance): Promise<void>;
  close(): Promise<void>;
}

export interface ChatClusterOptions {
  label: string;
  instances?: number;
  env?: Record<string, string>;
  /** The server to create the test database on (default: the shared one). */
  postgresUrl?: string;
  /** Also run the real persistence worker (built) on the same database and Redis prefix. */
  worker?: boolean;
}

/**
 * Two (by default) chat-socket apps in this process, on their own ports, sharing one test
 * database and one Redis prefix, as two pods behind a load balancer would. Tokens come from the
 * auth service stand-in, block and friend lookups from the user service stand-in.
 */
export async function startChatCluster(options: ChatClusterOptions): Promise<ChatCluster> {
  const database = await createTestDatabase(options.label, options.postgresUrl);
  const redisPrefix = testRedisPrefix(options.label);
  const issuer = await startTestTokenIssuer();
  const userService = await startUserServiceStandIn();
  const clients = new Set<ClientSocket>();
  const instances: ChatInstance[] = [];

  const env = {
    ...testServiceEnv(database.url, redisPrefix),
    CORS_ORIGINS: TEST_ALLOWED_ORIGIN,
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWKS_URL: issuer.jwksUrl,
    USER_SERVICE_URL: userService.url,
    INTERNAL_API_TOKEN: TEST_INTERNAL_TOKEN,
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    DB_MIGRATE_ON_START: 'true',
    RECONNECT_JITTER_MS: '50',
    ...options.env,
  };

  const startInstance = async (overrides: Record<string, string | undefined> = {}): Promise<ChatInstance> => {
    const config = loadChatSocketConfig({ ...env, ...overrides });
    const chat = await createChatSocketApp(config, { logger: createLogger({ service: 'chat-socket-test', level: 'silent' }) });
    const server = createServer(chat.handler);
    chat.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const adminServer = createServer(chat.adminHandler);
    await new Promise<void>((resolve) => adminServer.listen(0, '127.0.0.1', resolve));
    const instance: ChatInstance = {
      chat,
      server,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      adminServer,
      adminUrl: `http://127.0.0.1:${(adminServer.address() as AddressInfo).port}`,
      stopped: false,
    };
    instances.push(instance);
    return instance;
  };

  const stopInstance = async (instance: ChatInstance) => {
    if (instance.stopped) return;
    instance.stopped = true;
    await instance.chat.close();
    instance.server.closeAllConnections();
    await new Promise<void>((resolve) => instance.server.close(() => resolve()));
    instance.adminServer.closeAllConnections();
    await new Promise<void>((resolve) => instance.adminServer.close(() => resolve()));
  };

  // Sequentially: the first one runs the migrations.
  for (let index = 0; index < (options.instances ?? 2); index += 1) await startInstance();

  const worker = options.worker ? await startWorkerProcess(testServiceEnv(database.url, redisPrefix)) : undefined;
  const db = new pg.Pool({ connectionString: database.url, max: 2 });
  // An idle client's backend ends when the database is dropped at close; queries still fail on their own.
  db.on('error', () => undefined);
  const pick = (instance: ChatInstance | number) => (typeof instance === 'number' ? instances[instance]! : instance);

  return {
    instances,
    issuer,
    userService,
    database,
    db,
    redisPrefix,
    worker,
    user: (name = 'user') => createTestUser(issuer, userService, name),
    groupRoom: (owner, members = [], name) => createGroupRoom(instances[0]!.url, owner, members, name),
    async storedUpTo(roomId, seq) {
      await eventually(async () => {
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM chat.messages WHERE room_id = $1 AND seq <= $2', [roomId, seq]);
        if (rows[0]!.n !== seq) throw new Error(`${rows[0]!.n} of the room's first ${seq} items stored`);
      }, 15_000);
    },
    async api(instance, method, path, requestOptions = {}) {
      const headers: Record<string, string> = { ...requestOptions.headers };
      if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;
      if (requestOptions.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${pick(instance).url}${path}`, {
        method,
        headers,
        ...(requestOptions.body !== undefined ? { body: JSON.stringify(requestOptions.body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async connect(instance, user, connectOptions = {}) {
      const socket: ClientSocket = connectClient(pick(instance).url, {
        auth: { token: user.token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        ...(connectOptions.origin ? { extraHeaders: { origin: connectOptions.origin } } : {}),
      });
      clients.add(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (error) => reject(error));
      });
      return socket;
    },
    startInstance,
    stopInstance,
    async close() {
      for (const client of clients) client.disconnect();
      await worker?.stop();
      for (const instance of instances) await stopInstance(instance);
      await db.end();
      await issuer.close();
      await userService.close();
      await database.drop();
      await deleteRedisPrefix(redisPrefix);
    },
  };
}

/** The next `event` on a socket, or a rejection after `timeoutMs`. */
export function nextEvent<T = any>(socket: ClientSocket, event: string, timeoutMs = 3_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      (socket as any).off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    };
    (socket as any).once(event, listener);
  });
}

/** Records every `event` a socket receives from now on. */
export function collect<T = any>(socket: ClientSocket, event: string): T[] {
  const received: T[] = [];
  (socket as any).on(event, (payload: T) => received.push(payload));
  return received;
}

/** Resolves once `check` passes (polling), or rejects with its last failure. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 3_000, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Emits with an ack and resolves with the ack's payload. */
export function emitWithAck<T = any>(socket: ClientSocket, event: string, payload: unknown, timeoutMs = 5_000): Promise<T> {
  return (socket as any).timeout(timeoutMs).emitWithAck(event, payload);
}

/** Sends a message (a reply when `replyTo` is given) and returns it as acknowledged; throws on a refusal. */
export async function sendMessage(socket: ClientSocket, roomId: string, body: string, replyTo?: string): Promise<Message> {
  const ack = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body, ...(replyTo ? { replyTo } : {}) });
  if (!ack.ok) throw new Error(`message:send refused: ${JSON.stringify(ack)}`);
  return ack.message;
}
