import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import {
  createTestDatabase,
  runScriptToCompletion,
  startPrivateRedis,
  startServiceProcess,
  startTestTokenIssuer,
  testRedisPrefix,
  type PrivateRedis,
  type ServiceProcess,
  type TestDatabase,
  type TestTokenIssuer,
} from '@parley/testing';
import { ALLOWED_ORIGIN, INTERNAL_TOKEN, type TestUser } from './support/chat-cluster.js';
import { RoomMemberClient } from './support/room-member-client.js';
import { startUserServiceStandIn, type UserServiceStandIn } from './support/user-service-stand-in.js';

/**
 * The fault as it happens in production: two chat-socket processes and the persistence worker
 * (built, as separate processes) on a private redis-server with AOF and `appendfsync always`,
 * clients sending steadily with retries, and Redis SIGKILLed mid-load, then restarted on its
 * AOF. Promise under test: every acknowledged message is stored (acked − persisted = 0), and
 * every client ends up holding every acknowledged message of its room, live or through
 * sequence gap filling and `server:resync`, without reconnecting or reloading anything.
 */
const SERVICES = fileURLToPath(new URL('../../', import.meta.url));
const ROOMS = 3;
const MEMBERS_PER_ROOM = 6;
const SEND_INTERVAL_MS = 250;
const LOAD_MS = 12_000;
const CRASH_AT_MS = 4_000;
const DOWN_MS = 1_500;

let redis: PrivateRedis;
let database: TestDatabase;
let db: pg.Pool;
let issuer: TestTokenIssuer;
let userService: UserServiceStandIn;
let dataDir: string;
const processes: ServiceProcess[] = [];
const clients: RoomMemberClient[] = [];

function built(service: string, script = 'main.js'): string {
  const path = join(SERVICES, service, 'dist', script);
  if (!existsSync(path)) throw new Error(`${path} is missing: build with \`npm run build\` (root \`npm test\` builds first)`);
  return path;
}

beforeAll(async () => {
  redis = await startPrivateRedis({ appendfsync: 'always' });
  database = await createTestDatabase('redis_crash_load');
  db = new pg.Pool({ connectionString: database.url, max: 2 });
  issuer = await startTestTokenIssuer();
  userService = await startUserServiceStandIn();
  dataDir = await mkdtemp(join(tmpdir(), 'parley-redis-crash-'));
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: testRedisPrefix('redis_crash_load'),
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
  const migration = await runScriptToCompletion(built('chat-socket', 'migrate.js'), common);
  if (migration.code !== 0) throw new Error(`chat migrations failed:\n${migration.output}`);
  const chatEnv = {
    ...common,
    CORS_ORIGINS: ALLOWED_ORIGIN,
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWKS_URL: issuer.jwksUrl,
    USER_SERVICE_URL: userService.url,
    RECONNECT_JITTER_MS: '500',
    MESSAGE_DURABILITY: 'fsync',
  };
  const started = await Promise.allSettled([
    startServiceProcess('chat-socket-1', built('chat-socket'), chatEnv),
    startServiceProcess('chat-socket-2', built('chat-socket'), chatEnv),
    startServiceProcess('persistence-worker', built('persistence-worker'), { ...common, DATA_DIR: join(dataDir, 'worker') }),
  ]);
  for (const result of started) if (result.status === 'fulfilled') processes.push(result.value);
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(processes.map((service) => service.stop()));
  await userService?.close();
  await issuer?.close();
  await redis?.close();
  await db?.end();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function storedIds(ids: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>('SELECT id::text AS id FROM chat.messages WHERE id = ANY($1::bigint[])', [ids]);
  return new Set(rows.map((row) => row.id));
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return check();
}

describe('Redis SIGKILLed mid-load (AOF, appendfsync always), two chat-socket processes and the worker', () => {
  it('stores every acknowledged message, and every client ends up with every message of its room', async () => {
    const [chat1, chat2] = processes;
    const ready = (await (await fetch(`${chat1!.adminUrl}/readyz`)).json()) as { info: { messageDurability: unknown } };
    expect(ready.info.messageDurability).toMatchObject({ mode: 'fsync', guaranteed: true });

    // Rooms of members spread over both pods; each member sends every SEND_INTERVAL_MS.
    for (let room = 0; room < ROOMS; room += 1) {
      const users: TestUser[] = [];
      for (let member = 0; member < MEMBERS_PER_ROOM; member += 1) {
        const id = randomUUID();
        users.push({ id, username: `crash_${id.slice(0, 8)}`, token: await issuer.mint({ id, username: `crash_${id.slice(0, 8)}` }) });
      }
      const created = await fetch(`${chat1!.url}/api/v1/rooms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${users[0]!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `room ${room}`, memberIds: users.slice(1).map((user) => user.id) }),
      });
      expect(created.status).toBe(201);
      const { id: roomId } = (await created.json()) as { id: string };
      users.forEach((user, index) => clients.push(new RoomMemberClient((index % 2 === 0 ? chat1 : chat2)!.url, user, roomId)));
    }
    await Promise.all(clients.map((client) => client.connected()));

    const started = Date.now();
    const sendDeadline = started + LOAD_MS + 45_000;
    const sends: Array<Promise<{ message?: Message; attempts: number; ackedAt?: number }>> = [];
    const sending = clients.map(async (client, index) => {
      await new Promise((resolve) => setTimeout(resolve, (index * SEND_INTERVAL_MS) / clients.length));
      for (let sequence = 0; Date.now() - started < LOAD_MS; sequence += 1) {
        sends.push(client.send(`${client.user.username} #${sequence} ${randomBytes(4).toString('hex')}`, sendDeadline));
        await new Promise((resolve) => setTimeout(resolve, SEND_INTERVAL_MS));
      }
    });

    await new Promise((resolve) => setTimeout(resolve, CRASH_AT_MS));
    const killedAt = Date.now();
    await redis.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    await redis.restart();
    const restartedAt = Date.now();

    await Promise.all(sending);
    const results = await Promise.all(sends);
    const loadEnded = Date.now();
    const acked = results.flatMap((result) => (result.message ? [result.message] : []));
    const firstAckAfterRestart = Math.min(...results.flatMap((result) => (result.ackedAt && result.ackedAt > restartedAt ? [result.ackedAt] : [])));

    const ackedByRoom = new Map<string, Set<string>>();
    for (const message of acked) ackedByRoom.set(message.roomId, (ackedByRoom.get(message.roomId) ?? new Set()).add(message.id));
    const everyClientComplete = () => clients.every((client) => client.holdsAll(ackedByRoom.get(client.roomId) ?? []));
    await until(everyClientComplete, 60_000);
    const allHeldAt = Date.now();
    const ackedIds = acked.map((message) => message.id);
    await until(async () => (await storedIds(ackedIds)).size === ackedIds.length, 60_000);
    const persisted = await storedIds(ackedIds);
    const lost = ackedIds.filter((id) => !persisted.has(id));
    const incomplete = clients.filter((client) => !client.holdsAll(ackedByRoom.get(client.roomId) ?? []));

    const figures = {
      tried: results.length,
      acked: acked.length,
      persisted: persisted.size,
      lost: lost.length,
      unacked: results.length - acked.length,
      retriedSends: results.filter((result) => result.attempts > 1).length,
      deliveriesFilledBySync: clients.reduce((sum, client) => sum + client.filledBySync, 0),
      resyncEventsReceived: clients.reduce((sum, client) => sum + client.resyncRequests, 0),
      clientsComplete: `${clients.length - incomplete.length}/${clients.length}`,
      redisDownMs: restartedAt - killedAt,
      firstAckAfterRestartMs: Number.isFinite(firstAckAfterRestart) ? firstAckAfterRestart - restartedAt : null,
      // The last missed delivery a client recovered by sequence, counted from the restart.
      lastGapFilledAfterRestartMs: Math.max(0, ...clients.map((client) => client.lastFilledAt - restartedAt)),
      everyClientCompleteAfterLoadMs: allHeldAt - loadEnded,
    };
    console.log(
      `Redis SIGKILL under load (appendfsync always): ${Object.entries(figures)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}\n${JSON.stringify({ fault: 'redis-sigkill', ...figures })}`,
    );

    expect(acked.length).toBeGreaterThan(100);
    expect(results.filter((result) => result.attempts > 1).length, 'sends that met the outage and were retried').toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(incomplete.map((client) => `${client.user.username}: ${client.held.size} of ${ackedByRoom.get(client.roomId)?.size}`)).toEqual([]);
    // Nobody reconnected: the sockets stayed on their pods the whole time.
    for (const service of [chat1!, chat2!]) expect(service.child.exitCode).toBeNull();
  }, 180_000);
});
