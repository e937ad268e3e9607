import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, Message } from '@parley/contracts';
import {
  createTestDatabase,
  runScriptToCompletion,
  startRedisCluster,
  startServiceProcess,
  startTestTokenIssuer,
  type PrivateRedisCluster,
  type ServiceProcess,
  type TestDatabase,
  type TestTokenIssuer,
} from '@parley/testing';
import { ALLOWED_ORIGIN, INTERNAL_TOKEN, nextEvent, type ClientSocket, type TestUser } from './support/chat-cluster.js';
import { RoomMemberClient } from './support/room-member-client.js';
import { startUserServiceStandIn, type UserServiceStandIn } from './support/user-service-stand-in.js';

/**
 * Parley on a Redis Cluster of three primaries with a replica each (real redis-server
 * processes): two chat-socket processes and the persistence worker (built, as separate
 * processes) with REDIS_URL=redis+cluster://… and a hash-tagged key prefix, acknowledgements
 * WAITing for one replica (MESSAGE_DURABILITY=replicas). Then the primary that holds the
 * message path is failed over under steady load, once as planned (CLUSTER FAILOVER) and once by
 * a crash (SIGKILL, promotion, restart as a replica).
 */
const SERVICES = fileURLToPath(new URL('../../', import.meta.url));
const PREFIX = `{t-cluster-${randomBytes(3).toString('hex')}}:`;
const ROOMS = 3;
const MEMBERS_PER_ROOM = 4;
const SEND_INTERVAL_MS = 300;
// Load goes on until this long after the crashed node has rejoined as a replica.
const LOAD_AFTER_REJOIN_MS = 3_000;
const PLANNED_FAILOVER_AT_MS = 4_000;
const CRASH_AT_MS = 12_000;
// Generous: on a loaded machine three Node processes take a while to load their modules.
const START_TIMEOUT_MS = 90_000;

let cluster: PrivateRedisCluster;
let database: TestDatabase;
let db: pg.Pool;
let issuer: TestTokenIssuer;
let userService: UserServiceStandIn;
let dataDir: string;
const processes: ServiceProcess[] = [];
const sockets: ClientSocket[] = [];
const clients: RoomMemberClient[] = [];

function built(service: string, script = 'main.js'): string {
  const path = join(SERVICES, service, 'dist', script);
  if (!existsSync(path)) throw new Error(`${path} is missing: build with \`npm run build\` (root \`npm test\` builds first)`);
  return path;
}

async function user(name: string): Promise<TestUser> {
  const id = randomUUID();
  const username = `${name}_${id.slice(0, 8)}`;
  return { id, username, token: await issuer.mint({ id, username }) };
}

async function createRoom(url: string, owner: TestUser, members: TestUser[]): Promise<string> {
  const created = await fetch(`${url}/api/v1/rooms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `cluster ${randomBytes(2).toString('hex')}`, memberIds: members.map((member) => member.id) }),
  });
  expect(created.status).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

async function connect(url: string, who: TestUser): Promise<ClientSocket> {
  const socket: ClientSocket = connectClient(url, { auth: { token: who.token }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

function send(socket: ClientSocket, roomId: string, clientMsgId: string, body: string): Promise<Ack<{ message: Message }>> {
  return socket.timeout(5_000).emitWithAck('message:send', { roomId, clientMsgId, body }) as Promise<Ack<{ message: Message }>>;
}

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

beforeAll(async () => {
  cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
  database = await createTestDatabase('redis_cluster');
  db = new pg.Pool({ connectionString: database.url, max: 2 });
  issuer = await startTestTokenIssuer();
  userService = await startUserServiceStandIn();
  dataDir = await mkdtemp(join(tmpdir(), 'parley-redis-cluster-'));
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: cluster.url,
    REDIS_KEY_PREFIX: PREFIX,
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
    MESSAGE_DURABILITY: 'replicas',
    REDIS_WAIT_REPLICAS: '1',
    REDIS_WAIT_TIMEOUT_MS: '500',
  };
  const started = await Promise.allSettled([
    startServiceProcess('chat-socket-1', built('chat-socket'), chatEnv, START_TIMEOUT_MS),
    startServiceProcess('chat-socket-2', built('chat-socket'), chatEnv, START_TIMEOUT_MS),
    startServiceProcess('persistence-worker', built('persistence-worker'), { ...common, DATA_DIR: join(dataDir, 'worker') }, START_TIMEOUT_MS),
  ]);
  for (const result of started) if (result.status === 'fulfilled') processes.push(result.value);
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
}, 240_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  for (const client of clients) client.close();
  await Promise.all(processes.map((service) => service.stop()));
  await userService?.close();
  await issuer?.close();
  await cluster?.stop();
  await db?.end();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('Parley on a Redis Cluster (3 primaries, 1 replica each), two chat-socket processes and the worker', () => {
  it('refuses a cluster URL without a hash-tagged key prefix before connecting', async () => {
    const refused = await runScriptToCompletion(built('chat-socket'), {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: cluster.url,
      REDIS_KEY_PREFIX: 'parley:',
      JWKS_URL: issuer.jwksUrl,
      USER_SERVICE_URL: userService.url,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('REDIS_KEY_PREFIX');
    expect(refused.output).toContain('hash tag');
  });

  it('reports acknowledgements WAITed for by a replica as guaranteed, and every setting read from every primary', async () => {
    const ready = (await (await fetch(`${processes[0]!.adminUrl}/readyz`)).json()) as { info: { messageDurability: unknown } };
    expect(ready.info.messageDurability).toMatchObject({ mode: 'replicas', guaranteed: true });
  });

  it('delivers across the two processes, answers a repeated clientMsgId with the stored message, and stores it in PostgreSQL', async () => {
    const [chat1, chat2] = processes;
    const [ana, ben, outsider] = [await user('ana'), await user('ben'), await user('eve')];
    const roomId = await createRoom(chat1!.url, ana, [ben]);
    const anaSocket = await connect(chat1!.url, ana);
    const benSocket = await connect(chat2!.url, ben);
    const outsiderSocket = await connect(chat2!.url, outsider);

    const delivered = nextEvent<Message>(benSocket, 'message:new');
    const clientMsgId = randomUUID();
    const first = await send(anaSocket, roomId, clientMsgId, 'across pods on a cluster');
    expect(first.ok).toBe(true);
    const message = (first as { message: Message }).message;
    expect(await delivered).toMatchObject({ id: message.id, roomId, body: 'across pods on a cluster', seq: message.seq });

    const again = await send(anaSocket, roomId, clientMsgId, 'across pods on a cluster');
    expect(again).toMatchObject({ ok: true, message: { id: message.id, seq: message.seq } });

    // A non-member may not send to the room, whatever Redis runs on.
    const foreign = await send(outsiderSocket, roomId, randomUUID(), 'not mine');
    expect(foreign.ok).toBe(false);

    expect(await until(async () => (await storedIds([message.id])).size === 1, 20_000)).toBe(true);
    const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM chat.messages WHERE room_id = $1', [roomId]);
    expect(rows[0]!.n).toBe('1');
  });

  it('brings what a member missed while offline with room:sync', async () => {
    const [chat1, chat2] = processes;
    const [ana, ben] = [await user('ana'), await user('ben')];
    const roomId = await createRoom(chat1!.url, ana, [ben]);
    const anaSocket = await connect(chat1!.url, ana);
    const sent: Message[] = [];
    for (let index = 0; index < 5; index += 1) {
      const ack = await send(anaSocket, roomId, randomUUID(), `while ben is away ${index}`);
      expect(ack.ok).toBe(true);
      sent.push((ack as { message: Message }).message);
    }
    const benSocket = await connect(chat2!.url, ben);
    const answer = (await benSocket.timeout(5_000).emitWithAck('room:sync', { rooms: [{ roomId, afterSeq: 0 }] })) as Ack<{
      rooms: Array<{ roomId: string; messages: Message[] }>;
    }>;
    expect(answer.ok).toBe(true);
    const synced = (answer as { rooms: Array<{ roomId: string; messages: Message[] }> }).rooms[0]!.messages;
    expect(synced.map((message) => message.id)).toEqual(sent.map((message) => message.id));
    expect(synced.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps every acknowledged message through a planned failover and a crashed primary of the message path, under steady load', async () => {
    const [chat1, chat2] = processes;
    for (let room = 0; room < ROOMS; room += 1) {
      const users: TestUser[] = [];
      for (let member = 0; member < MEMBERS_PER_ROOM; member += 1) users.push(await user('load'));
      const roomId = await createRoom(chat1!.url, users[0]!, users.slice(1));
      users.forEach((member, index) => clients.push(new RoomMemberClient((index % 2 === 0 ? chat1 : chat2)!.url, member, roomId)));
    }
    await Promise.all(clients.map((client) => client.connected()));

    // Every key of the install shares the prefix's hash tag: one primary holds the message path.
    const messagePrimary = await cluster.primaryOf(`${PREFIX}msg-unpersisted:batches`);
    const [standby] = await cluster.replicaPorts(messagePrimary);

    const started = Date.now();
    let loadEndsAt = Number.POSITIVE_INFINITY;
    // A send retries (same clientMsgId) until acknowledged or this late.
    const sendDeadline = started + 120_000;
    const sends: Array<Promise<{ message?: Message; attempts: number; ackedAt?: number }>> = [];
    const sending = clients.map(async (client, index) => {
      await new Promise((resolve) => setTimeout(resolve, (index * SEND_INTERVAL_MS) / clients.length));
      for (let sequence = 0; Date.now() < loadEndsAt; sequence += 1) {
        sends.push(client.send(`${client.user.username} #${sequence} ${randomBytes(4).toString('hex')}`, sendDeadline));
        await new Promise((resolve) => setTimeout(resolve, SEND_INTERVAL_MS));
      }
    });

    await new Promise((resolve) => setTimeout(resolve, PLANNED_FAILOVER_AT_MS - (Date.now() - started)));
    const plannedAt = Date.now();
    await cluster.failover(standby!);
    const plannedDoneAt = Date.now();

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, CRASH_AT_MS - (Date.now() - started))));
    const crashedAt = Date.now();
    await cluster.kill(standby!); // the primary now: the planned failover promoted it
    const promotedAt = Date.now();
    await cluster.restart(standby!);
    const rejoinedAt = Date.now();
    loadEndsAt = rejoinedAt + LOAD_AFTER_REJOIN_MS;

    await Promise.all(sending);
    const results = await Promise.all(sends);
    const loadEnded = Date.now();
    const acked = results.flatMap((result) => (result.message ? [result.message] : []));
    const ackTimes = results.flatMap((result) => (result.ackedAt ? [result.ackedAt] : [])).sort((a, b) => a - b);
    // The longest time without any acknowledgement, from `from` to `to`: how long sending was down.
    const longestAckGap = (from: number, to: number) => {
      const inside = [from, ...ackTimes.filter((time) => time > from && time < to), to];
      return Math.max(...inside.slice(1).map((time, index) => time - inside[index]!));
    };
    const firstAckAfter = (moment: number) => {
      const times = results.flatMap((result) => (result.ackedAt && result.ackedAt > moment ? [result.ackedAt] : []));
      return times.length > 0 ? Math.min(...times) - moment : null;
    };

    const ackedByRoom = new Map<string, Set<string>>();
    for (const message of acked) ackedByRoom.set(message.roomId, (ackedByRoom.get(message.roomId) ?? new Set()).add(message.id));
    const everyClientComplete = () => clients.every((client) => client.holdsAll(ackedByRoom.get(client.roomId) ?? []));
    await until(everyClientComplete, 60_000);
    const allHeldAt = Date.now();
    const ackedIds = acked.map((message) => message.id);
    await until(async () => (await storedIds(ackedIds)).size === ackedIds.length, 30_000);
    const persisted = await storedIds(ackedIds);
    const lost = ackedIds.filter((id) => !persisted.has(id));
    const incomplete = clients.filter((client) => !client.holdsAll(ackedByRoom.get(client.roomId) ?? []));
    const missedDeliveries = [...ackedByRoom.entries()].reduce(
      (sum, [roomId, ids]) => sum + clients.filter((client) => client.roomId === roomId).reduce((missing, client) => missing + [...ids].filter((id) => !client.held.has(id)).length, 0),
      0,
    );

    const figures = {
      sent: results.length,
      acked: acked.length,
      persisted: persisted.size,
      ackedMinusPersisted: acked.length - persisted.size,
      unacked: results.length - acked.length,
      retriedSends: results.filter((result) => result.attempts > 1).length,
      missedDeliveriesRecoveredBySync: clients.reduce((sum, client) => sum + client.filledBySync, 0),
      missedDeliveriesNotRecovered: missedDeliveries,
      resyncEventsReceived: clients.reduce((sum, client) => sum + client.resyncRequests, 0),
      clientsComplete: `${clients.length - incomplete.length}/${clients.length}`,
      plannedFailoverMs: plannedDoneAt - plannedAt,
      firstAckAfterPlannedFailoverMs: firstAckAfter(plannedDoneAt),
      longestAckGapAroundPlannedFailoverMs: longestAckGap(plannedAt - 1_000, crashedAt),
      crashToPromotionMs: promotedAt - crashedAt,
      firstAckAfterCrashMs: firstAckAfter(crashedAt),
      crashToReplicaRejoinedMs: rejoinedAt - crashedAt,
      firstAckAfterRejoinMs: firstAckAfter(rejoinedAt),
      longestAckGapAroundCrashMs: longestAckGap(crashedAt - 1_000, loadEnded),
      everyClientCompleteAfterLoadMs: allHeldAt - loadEnded,
    };
    console.log(
      `Redis Cluster failovers under load (MESSAGE_DURABILITY=replicas): ${Object.entries(figures)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}\n${JSON.stringify({ fault: 'redis-cluster-failover', ...figures })}`,
    );

    expect(acked.length).toBeGreaterThan(100);
    expect(ackTimes.filter((time) => time > rejoinedAt).length, 'messages acknowledged once the crashed node rejoined').toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(incomplete.map((client) => `${client.user.username}: ${client.held.size} of ${ackedByRoom.get(client.roomId)?.size}`)).toEqual([]);
    for (const service of processes) expect(service.child.exitCode).toBeNull();
  }, 240_000);
});
