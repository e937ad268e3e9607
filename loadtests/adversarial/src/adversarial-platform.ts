import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '@parley/ports';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '@parley/testing';

const LAUNCHER = fileURLToPath(new URL('../../../tools/launcher/dist/main.js', import.meta.url));

/**
 * Settings the suite starts the platform with, on top of `npm start`'s defaults. Registration
 * and argon2 are made cheap and the send rate raised only so setup and the attacks reach the
 * code under test quickly; the login limits, token checks and durability stay as shipped.
 */
export const ADVERSARIAL_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  REGISTER_LIMIT_PER_IP: '1000000',
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
  SEND_RATE_PER_SECOND: '1000',
  SEND_BURST: '2000',
  // A private PostgreSQL takes 60 connections: six processes and the suite's own pool fit.
  DATABASE_POOL_SIZE: '4',
  MESSAGE_DURABILITY: 'fsync',
  RECONNECT_JITTER_MS: '500',
  // A SIGKILLed service comes back quickly, and the fault matrix kills three of them.
  PARLEY_RESTART_BACKOFF_MS: '200',
  PARLEY_RESTART_LIMIT: '10',
};

/** A service process of the launched platform (from /proc). */
export interface PlatformProcess {
  pid: number;
  /** `chat-socket`, `persistence-worker`, `auth`, … */
  service: string;
}

export interface AdversarialPlatform {
  /** The gateway (one origin, as `npm start` serves it). */
  url: string;
  /** The Origin the services allow (the launcher's public origin). */
  origin: string;
  dataDir: string;
  logFile: string;
  /** The private PostgreSQL the services use (the `postgres` database). */
  postgres: PrivatePostgres;
  /** The private redis-server (AOF, appendfsync always) the services use. */
  redis: PrivateRedis;
  /** A small pool on the services' database, to count stored rows. */
  db: pg.Pool;
  /** The limits the platform runs with (the auth service's defaults unless overridden). */
  loginLimits: { perAccountIp: number; perIp: number };
  processes(): Promise<PlatformProcess[]>;
  /** Resident memory of a process in bytes (NaN once it is gone). */
  residentBytes(pid: number): Promise<number>;
  /** The launcher's output so far (warnings and restarts). */
  output(): string[];
  stop(): Promise<void>;
}

/**
 * Starts the platform exactly as `npm start` does (the built launcher, two chat-socket
 * processes, the worker, the gateway) on free ports, on a PostgreSQL and a redis-server of its
 * own (AOF with `appendfsync always`, so MESSAGE_DURABILITY=fsync holds its promise), so that
 * stopping or killing them never touches the shared ones.
 */
export async function startAdversarialPlatform(env: Record<string, string> = {}, timeoutMs = 180_000): Promise<AdversarialPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-adversarial-'));
  const postgres = await startPrivatePostgres();
  let redis: PrivateRedis | undefined;
  let child: ChildProcess | undefined;
  try {
    redis = await startPrivateRedis({ appendfsync: 'always' });
    const port = await freePort();
    const settings = { ...ADVERSARIAL_ENV, ...env };
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...settings,
      PARLEY_PORT: String(port),
      PARLEY_DATA_DIR: dataDir,
      PARLEY_POSTGRES_PORT: String(await freePort()),
      PARLEY_REDIS_PORT: String(await freePort()),
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'adversarial:',
    };
    delete childEnv.SMTP_URL;
    const logFile = join(dataDir, 'platform.log');
    const log = createWriteStream(logFile);
    const lines: string[] = [];
    const launched = spawn(process.execPath, [LAUNCHER], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = launched;
    const exited = new Promise<number | null>((resolve) => launched.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the platform did not come up within ${timeoutMs} ms; log: ${logFile}`)), timeoutMs);
      let up = false;
      for (const stream of [launched.stdout, launched.stderr]) {
        createInterface({ input: stream! }).on('line', (line) => {
          log.write(`${line}\n`);
          lines.push(line);
          if (lines.length > 2_000) lines.shift();
          if (!up && line.includes('Parley is up at')) {
            up = true;
            clearTimeout(timer);
            resolve();
          }
        });
      }
      void exited.then((code) => {
        clearTimeout(timer);
        if (!up) reject(new Error(`the launcher exited with ${code} before the platform was up:\n${lines.slice(-40).join('\n')}`));
      });
    });
    const db = new pg.Pool({ connectionString: postgres.url, max: 2 });
    db.on('error', () => undefined);
    const launcherPid = launched.pid!;
    const privateRedis = redis;
    return {
      url: `http://127.0.0.1:${port}`,
      origin: `http://localhost:${port}`,
      dataDir,
      logFile,
      postgres,
      redis: privateRedis,
      db,
      loginLimits: {
        perAccountIp: Number(settings.LOGIN_LIMIT_PER_ACCOUNT_IP ?? 5),
        perIp: Number(settings.LOGIN_LIMIT_PER_IP ?? 100),
      },
      processes: () => childServices(launcherPid),
      residentBytes,
      output: () => [...lines],
      async stop() {
        if (launched.exitCode === null) launched.kill('SIGTERM');
        await exited;
        log.end();
        await db.end().catch(() => undefined);
        await privateRedis.close().catch(() => undefined);
        await postgres.destroy().catch(() => undefined);
        await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
      },
    };
  } catch (error) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await redis?.close().catch(() => undefined);
    await postgres.destroy().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** The launcher's children that run a service's script. */
async function childServices(parentPid: number): Promise<PlatformProcess[]> {
  const found: PlatformProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
    if (!stat || Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parentPid) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const script = cmdline.find((arg) => /services\/[^/]+\/dist/.test(arg));
    if (script) found.push({ pid: Number(entry), service: /services\/([^/]+)\//.exec(script)![1]! });
  }
  return found.sort((a, b) => a.pid - b.pid);
}

async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}
