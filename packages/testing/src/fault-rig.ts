import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runScriptToCompletion, startServiceProcess, type ServiceProcess } from './service-process.js';
import { createTestDatabase, testProcessEnv, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from './test-database.js';
import { deleteRedisPrefix } from './test-redis.js';
import { startTestTokenIssuer, type TestTokenIssuer } from './test-token-issuer.js';
import { startUserServiceStandIn, type UserServiceStandIn } from './user-service-stand-in.js';

const SERVICES = fileURLToPath(new URL('../../../services/', import.meta.url));

/** The internal token every process of a test shares (INTERNAL_API_TOKEN). */
export const TEST_INTERNAL_TOKEN = 'test-internal-token-0123456789';
/** The browser origin chat-socket allows in tests (CORS_ORIGINS). */
export const TEST_ALLOWED_ORIGIN = 'http://localhost:8080';

/** A built service's script (`services/<service>/dist/<script>`); refuses a missing build. */
export function builtServiceEntry(service: string, script = 'main.js'): string {
  const path = join(SERVICES, service, 'dist', script);
  if (!existsSync(path)) throw new Error(`${path} is missing: build with \`npm run build\` (root \`npm test\` builds first)`);
  return path;
}

/**
 * The persistence worker as its own process, with a data directory of its own (removed when it
 * stops). Needs DATABASE_URL, REDIS_URL and REDIS_KEY_PREFIX in `env`; logs at `info`, which
 * startServiceProcess reads its ports from.
 */
export async function startWorkerProcess(env: Record<string, string>, settings: { name?: string; timeoutMs?: number } = {}): Promise<ServiceProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-worker-'));
  try {
    const worker = await startServiceProcess(
      settings.name ?? 'persistence-worker',
      builtServiceEntry('persistence-worker'),
      { SHUTDOWN_TIMEOUT_MS: '5000', ...env, LOG_LEVEL: 'info', DATA_DIR: dataDir },
      settings.timeoutMs,
    );
    const stop = worker.stop;
    return { ...worker, stop: () => stop().finally(() => rm(dataDir, { recursive: true, force: true })) };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Resolves true once `check` holds (polled), false when `timeoutMs` passed without it. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return check();
}

/** A group room of `owner` with `members`, created through chat-socket's REST API at `url`; its id. */
export async function createGroupRoom(url: string, owner: TestUser, members: TestUser[], name = 'room'): Promise<string> {
  const created = await fetch(`${url}/api/v1/rooms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, memberIds: members.map((member) => member.id) }),
  });
  if (created.status !== 201) throw new Error(`room creation answered ${created.status}: ${await created.text()}`);
  return ((await created.json()) as { id: string }).id;
}

/** One process of the rig: its name and what its environment differs in (a proxied REDIS_URL, …). */
export interface FaultRigProcess {
  name?: string;
  /** Its own variables, or a function of what it would get (to point DATABASE_URL at a proxy, say). */
  env?: Record<string, string> | ((env: Record<string, string>) => Record<string, string>);
}

function envOf(own: FaultRigProcess, env: Record<string, string>): Record<string, string> {
  return { ...env, ...(typeof own.env === 'function' ? own.env(env) : own.env) };
}

export interface FaultRigSettings {
  /** Names the throwaway database, and the Redis key prefix unless one is given. */
  label: string;
  redisUrl: string;
  /** A Redis Cluster needs a hash-tagged prefix (`{…}:`); otherwise a fresh test prefix. */
  redisKeyPrefix?: string;
  /** chat-socket processes: how many, or each one's name and environment. */
  chatSockets: number | FaultRigProcess[];
  /** The persistence worker (true, or its name and environment); none when absent. */
  worker?: boolean | FaultRigProcess;
  /** What every chat-socket process is started with besides the rig's own (durability, timeouts). */
  chatEnv?: Record<string, string>;
  /** How long each process may take to become ready (several at once load slowly on a busy machine). */
  startTimeoutMs?: number;
}

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

/** A user named `<name>_<8 hex>` with an access token, known to the user service's stand-in by that name. */
export async function createTestUser(issuer: TestTokenIssuer, users: UserServiceStandIn, name: string): Promise<TestUser> {
  const id = randomUUID();
  const username = `${name}_${id.slice(0, 8)}`;
  users.addUser(id, username);
  return { id, username, token: await issuer.mint({ id, username }) };
}

/** The acknowledged messages of a test, by room: what must end up stored and held by every member. */
export class AckLedger {
  private readonly rooms = new Map<string, Set<string>>();

  record(message: { id: string; roomId: string }): void {
    const room = this.rooms.get(message.roomId) ?? new Set<string>();
    this.rooms.set(message.roomId, room.add(message.id));
  }

  /** Every acknowledged id. */
  ids(): string[] {
    return [...this.rooms.values()].flatMap((room) => [...room]);
  }

  /** The acknowledged ids of one room. */
  ofRoom(roomId: string): Set<string> {
    return this.rooms.get(roomId) ?? new Set();
  }
}

/**
 * Parley as separate processes, for fault tests: N built chat-socket processes and the
 * persistence worker on a throwaway database (migrated) and a Redis key prefix of their own,
 * with the auth service's token issuer and the user service's stand-in. The test brings the
 * Redis (private, clustered, proxied) and the faults; the rig keeps the ledger of acknowledged
 * messages and says what of it PostgreSQL holds.
 */
export interface FaultRig {
  database: TestDatabase;
  /** A small pool on the rig's database, for the test's checks. */
  db: pg.Pool;
  issuer: TestTokenIssuer;
  userService: UserServiceStandIn;
  redisKeyPrefix: string;
  /** What the processes share: database, Redis, prefix, internal token. */
  commonEnv: Record<string, string>;
  /** What the chat-socket processes are started with (before each one's own). */
  chatEnv: Record<string, string>;
  chatSockets: ServiceProcess[];
  worker: ServiceProcess | undefined;
  /** Every process of the rig. */
  processes: ServiceProcess[];
  ledger: AckLedger;
  /** A user with a token, known to the user service's stand-in by name. */
  user(name: string): Promise<TestUser>;
  /** A group room created through a chat-socket process (its REST API); its id. */
  createRoom(via: ServiceProcess, owner: TestUser, members: TestUser[], name?: string): Promise<string>;
  /** Which of `ids` PostgreSQL holds. */
  storedIds(ids: string[]): Promise<Set<string>>;
  /** How many acknowledged messages (the ledger) PostgreSQL holds. */
  countPersisted(): Promise<number>;
  /** The acknowledged messages PostgreSQL does not hold (lost, or not stored yet). */
  unpersisted(): Promise<string[]>;
  /** SIGTERM to every process, then the stand-ins, the pool, the database and (on the shared Redis) the prefix's keys go. */
  stop(): Promise<void>;
}

export async function startFaultRig(settings: FaultRigSettings): Promise<FaultRig> {
  const redisKeyPrefix = settings.redisKeyPrefix ?? testRedisPrefix(settings.label);
  const database = await createTestDatabase(settings.label);
  const db = new pg.Pool({ connectionString: database.url, max: 2 });
  // An idle client's backend ends when the database is dropped at close; queries still fail on their own.
  db.on('error', () => undefined);
  const processes: ServiceProcess[] = [];
  let issuer: TestTokenIssuer | undefined;
  let userService: UserServiceStandIn | undefined;
  const stop = async () => {
    await Promise.all(processes.map((service) => service.stop()));
    await userService?.close();
    await issuer?.close();
    await db.end();
    await database.drop();
    // The shared Redis keeps what it is given; a test's own Redis goes with the test.
    if (settings.redisUrl === TEST_REDIS_URL) await deleteRedisPrefix(redisKeyPrefix);
  };
  try {
    issuer = await startTestTokenIssuer();
    userService = await startUserServiceStandIn();
    const commonEnv = testProcessEnv(database.url, redisKeyPrefix, { redisUrl: settings.redisUrl, internalToken: TEST_INTERNAL_TOKEN });
    const migration = await runScriptToCompletion(builtServiceEntry('chat-socket', 'migrate.js'), commonEnv);
    if (migration.code !== 0) throw new Error(`chat migrations failed:\n${migration.output}`);
    const chatEnv = {
      ...commonEnv,
      CORS_ORIGINS: TEST_ALLOWED_ORIGIN,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWKS_URL: issuer.jwksUrl,
      USER_SERVICE_URL: userService.url,
      RECONNECT_JITTER_MS: '500',
      ...settings.chatEnv,
    };
    const chatSockets: FaultRigProcess[] = typeof settings.chatSockets === 'number' ? Array.from({ length: settings.chatSockets }, () => ({})) : settings.chatSockets;
    const worker: FaultRigProcess | undefined = settings.worker === true ? {} : settings.worker || undefined;
    const timeoutMs = settings.startTimeoutMs ?? 60_000;
    const started = await Promise.allSettled([
      ...chatSockets.map((chat, index) => startServiceProcess(chat.name ?? `chat-socket-${index + 1}`, builtServiceEntry('chat-socket'), envOf(chat, chatEnv), timeoutMs)),
      ...(worker ? [startWorkerProcess(envOf(worker, commonEnv), { name: worker.name, timeoutMs })] : []),
    ]);
    for (const result of started) if (result.status === 'fulfilled') processes.push(result.value);
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;

    const ledger = new AckLedger();
    const storedIds = async (ids: string[]) => {
      const { rows } = await db.query<{ id: string }>('SELECT id::text AS id FROM chat.messages WHERE id = ANY($1::bigint[])', [ids]);
      return new Set(rows.map((row) => row.id));
    };
    const [tokenIssuer, users] = [issuer, userService];
    return {
      database,
      db,
      issuer,
      userService,
      redisKeyPrefix,
      commonEnv,
      chatEnv,
      chatSockets: processes.slice(0, chatSockets.length),
      worker: worker ? processes[chatSockets.length] : undefined,
      processes,
      ledger,
      user: (name) => createTestUser(tokenIssuer, users, name),
      createRoom: (via, owner, members, name) => createGroupRoom(via.url, owner, members, name),
      storedIds,
      countPersisted: async () => (await storedIds(ledger.ids())).size,
      async unpersisted() {
        const ids = ledger.ids();
        const stored = await storedIds(ids);
        return ids.filter((id) => !stored.has(id));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
