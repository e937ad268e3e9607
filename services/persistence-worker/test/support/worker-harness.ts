import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createChatDataSource, messageIdAt } from '@parley/chat-store';
import type { Message, NotificationJob, PersistMessagesJob } from '@parley/contracts';
import { runMigrations, type DataSource } from '@parley/db';
import { createLogger } from '@parley/logger';
import { jobOptionsFor, openQueue } from '@parley/queues';
import { createTestDatabase, deleteRedisPrefix, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '@parley/testing';
import { createPersistenceWorkerApp, type PersistenceWorkerApp } from '../../src/app.js';
import { loadPersistenceWorkerConfig, type PersistenceWorkerConfig } from '../../src/config.js';

/** A fresh database with the chat schema migrated (as chat-socket does) and a Redis prefix of its own. */
export interface WorkerTestEnv {
  database: TestDatabase;
  dataSource: DataSource;
  prefix: string;
  config(overrides?: Record<string, string>): PersistenceWorkerConfig;
  /** The env a child process of dist/main.js gets. */
  env(overrides?: Record<string, string>): Record<string, string>;
  cleanup(): Promise<void>;
}

export interface WorkerTestEnvOptions {
  /** A prefix of the test's own instead of testRedisPrefix(label) (a hash-tagged one, say); deleted at cleanup all the same. */
  redisKeyPrefix?: string;
}

export async function createWorkerTestEnv(label: string, options: WorkerTestEnvOptions = {}): Promise<WorkerTestEnv> {
  const database = await createTestDatabase(label);
  const dataSource = await migratedChatDataSource(database.url);
  const prefix = options.redisKeyPrefix ?? testRedisPrefix(label);
  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    MAIL_WORKER_ENABLED: 'false',
    STALLED_INTERVAL_MS: '1000',
    LOCK_DURATION_MS: '2000',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...overrides,
  });
  return {
    database,
    dataSource,
    prefix,
    env,
    config: (overrides) => loadPersistenceWorkerConfig(env(overrides)),
    async cleanup() {
      await dataSource.destroy().catch(() => undefined);
      await database.drop();
      await deleteRedisPrefix(prefix);
    },
  };
}

export async function migratedChatDataSource(url: string): Promise<DataSource> {
  const dataSource = createChatDataSource({ url, poolSize: 4, applicationName: 'persistence-worker-test' });
  await dataSource.initialize();
  await runMigrations(dataSource, createLogger({ service: 'test', level: 'silent' }));
  return dataSource;
}

export interface RunningWorker {
  worker: PersistenceWorkerApp;
  baseUrl: string;
  /** The admin server (METRICS_PORT in production): /metrics, /healthz, /readyz. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** The app in-process on an ephemeral port. */
export async function startWorker(config: PersistenceWorkerConfig, logger?: Logger): Promise<RunningWorker> {
  const worker = await createPersistenceWorkerApp(config, logger);
  const server: Server = createServer(worker.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const adminServer: Server = createServer(worker.adminHandler);
  await new Promise<void>((resolve) => adminServer.listen(0, '127.0.0.1', resolve));
  let stopped: Promise<void> | undefined;
  return {
    worker,
    baseUrl: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${(adminServer.address() as AddressInfo).port}`,
    stop: () =>
      (stopped ??= (async () => {
        worker.markDraining();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await worker.close();
        adminServer.closeAllConnections();
        await new Promise<void>((resolve) => adminServer.close(() => resolve()));
      })()),
  };
}

/** A pino logger whose JSON lines the test can read. */
export function capturingLogger(level = 'warn'): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines: () => lines };
}

/**
 * Enqueues as chat-socket does (same queue, prefix and job options), through raw queue handles so
 * tests can also add what a producer would refuse.
 */
export class TestProducer {
  readonly connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  readonly messages: Queue<PersistMessagesJob>;
  readonly notifications: Queue<NotificationJob>;

  constructor(redisKeyPrefix: string) {
    this.messages = openQueue('messages', { connection: this.connection, installPrefix: redisKeyPrefix });
    this.notifications = openQueue('notifications', { connection: this.connection, installPrefix: redisKeyPrefix });
  }

  async enqueueBatch(messages: Message[], options: Record<string, unknown> = {}, acceptedKey?: string): Promise<string> {
    const acceptedAt = Object.fromEntries(messages.map((message) => [message.id, Date.parse(message.createdAt)]));
    const data: PersistMessagesJob = { messages, acceptedAt, ...(acceptedKey ? { acceptedKey } : {}) };
    const job = await this.messages.add('persist', data, { ...jobOptionsFor('messages'), ...options });
    return job.id!;
  }

  async close(): Promise<void> {
    await this.messages.close();
    await this.notifications.close();
    this.connection.disconnect();
  }
}

let sequence = 0;

/** A message as chat-socket accepts it: snowflake-like id (time-ordered, unique), ISO createdAt. */
export function makeMessage(roomId: string, senderId: string, overrides: Partial<Message> = {}): Message {
  sequence += 1;
  const now = Date.now();
  return {
    // In the partition of its time (chat.messages is partitioned by id).
    id: String(messageIdAt(now) + BigInt(sequence)),
    roomId,
    senderId,
    clientMsgId: randomUUID(),
    body: `message ${sequence}`,
    createdAt: new Date(now).toISOString(),
    // Unique per room, as the accept script's counters make it (here: unique overall).
    seq: sequence,
    ...overrides,
  };
}

/** A group room with these members (the first is the owner); `roomId` when the test needs a room of a given shard. */
export async function createRoom(dataSource: DataSource, memberIds: string[] = [], roomId: string = randomUUID()): Promise<string> {
  await dataSource.query(
    `INSERT INTO chat.rooms (id, kind, name, visibility, created_by, member_count, last_activity_at)
     VALUES ($1, 'group', 'test room', 'private', $2, $3, '2000-01-01')`,
    [roomId, memberIds[0] ?? randomUUID(), memberIds.length],
  );
  if (memberIds.length > 0) {
    await dataSource.query(
      `INSERT INTO chat.room_members (room_id, user_id, role)
       SELECT $1, u, CASE WHEN ordinality = 1 THEN 'owner' ELSE 'member' END FROM unnest($2::uuid[]) WITH ORDINALITY AS m(u, ordinality)`,
      [roomId, memberIds],
    );
  }
  return roomId;
}

export async function storedMessageIds(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ id: string }> = await dataSource.query('SELECT id FROM chat.messages ORDER BY id');
  return rows.map((row) => row.id);
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** A test file's worker: its own database and Redis prefix, a producer as chat-socket's, the app running. */
export interface RunningWorkerRig {
  readonly env: WorkerTestEnv;
  readonly producer: TestProducer;
  readonly running: RunningWorker;
}

/** Sets up a RunningWorkerRig before the file's tests and tears it down after them. */
export function useRunningWorker(label: string): RunningWorkerRig {
  const rig = {} as { env: WorkerTestEnv; producer: TestProducer; running: RunningWorker };
  beforeAll(async () => {
    rig.env = await createWorkerTestEnv(label);
    rig.producer = new TestProducer(rig.env.prefix);
    rig.running = await startWorker(rig.env.config());
  });
  afterAll(async () => {
    await rig.running?.stop();
    await rig.producer?.close();
    await rig.env?.cleanup();
  });
  return rig;
}
