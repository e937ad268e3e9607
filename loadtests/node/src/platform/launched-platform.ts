import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort } from '@parley/ports';
import { childProcesses, processEnv, type PlatformProcess } from './process-table.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from './throwaway-database.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const LAUNCHER = join(REPO_ROOT, 'tools/launcher/dist/main.js');

export interface LaunchSettings {
  /**
   * A PostgreSQL server to create a throwaway database on; without it the launcher runs
   * embedded PostgreSQL in a temporary data directory.
   */
  postgresServerUrl?: string;
  /** A Redis to use (keys under a fresh prefix, deleted at the end); otherwise the launcher's choice. */
  redisUrl?: string;
  /** Extra variables for every service (SOCKET_ADAPTER, NODE_OPTIONS, …). */
  env?: Record<string, string>;
  /** Keep the data directory (logs, CPU profiles) after stopping. */
  keepDataDir?: boolean;
  timeoutMs?: number;
}

export interface LaunchedPlatform {
  /** The one origin (gateway). */
  url: string;
  pid: number;
  dataDir: string;
  /** Where the launcher's and services' log lines go. */
  logFile: string;
  /** The database the services use (for persistence probes). */
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  processes(): Promise<PlatformProcess[]>;
  /** SIGTERM (as Ctrl-C), then removes the throwaway database, Redis keys and data directory. */
  stop(): Promise<void>;
}

/**
 * Starts the platform exactly as `npm start` does (the built launcher) on free ports, with a
 * throwaway database, data directory and Redis key prefix, so a benchmark never touches a
 * developer's data. Auth's limits are raised for setup speed only: registering thousands of
 * users from one IP needs REGISTER_LIMIT_PER_IP above the default 20/hour, and cheap argon2
 * parameters make registration fast; neither is on the measured message path.
 */
export async function launchPlatform(settings: LaunchSettings = {}): Promise<LaunchedPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-bench-'));
  const redisKeyPrefix = `bench:${randomBytes(4).toString('hex')}:`;
  const [port, postgresPort, redisPort] = [await freePort(), await freePort(), await freePort()];
  let database: ThrowawayDatabase | undefined;
  if (settings.postgresServerUrl) database = await createThrowawayDatabase(settings.postgresServerUrl, 'bench');

  const env: Record<string, string | undefined> = {
    ...process.env,
    PARLEY_PORT: String(port),
    PARLEY_DATA_DIR: dataDir,
    PARLEY_POSTGRES_PORT: String(postgresPort),
    PARLEY_REDIS_PORT: String(redisPort),
    REDIS_KEY_PREFIX: redisKeyPrefix,
    LOG_LEVEL: 'warn',
    REGISTER_LIMIT_PER_IP: '1000000',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    DATABASE_URL: database?.url,
    REDIS_URL: settings.redisUrl,
    ...settings.env,
  };
  if (!database) delete env.DATABASE_URL;
  if (!settings.redisUrl) delete env.REDIS_URL;

  const logFile = join(dataDir, 'platform.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, [LAUNCHER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const recent: string[] = [];
  let up = false;
  const upPromise = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the platform did not come up within ${settings.timeoutMs ?? 180_000} ms; log: ${logFile}`)), settings.timeoutMs ?? 180_000);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        log.write(`${line}\n`);
        recent.push(line);
        if (recent.length > 40) recent.shift();
        if (!up && line.includes('Parley is up at')) {
          up = true;
          clearTimeout(timer);
          resolve();
        }
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      if (!up) reject(new Error(`the launcher exited with ${code} before the platform was up:\n${recent.join('\n')}`));
    });
  });

  const cleanUp = async (redisUrl: string | undefined) => {
    if (redisUrl) await deleteKeys(redisUrl, redisKeyPrefix).catch(() => undefined);
    await database?.drop().catch(() => undefined);
    log.end();
    if (!settings.keepDataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  };

  try {
    await upPromise;
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await cleanUp(settings.redisUrl);
    throw error;
  }

  const pid = child.pid!;
  const processes = () => childProcesses(pid);
  const anyService = (await processes()).find((entry) => entry.service === 'chat-socket');
  const redisUrl = settings.redisUrl ?? (anyService ? await processEnv(anyService.pid, 'REDIS_URL') : undefined) ?? 'redis://127.0.0.1:6379';
  const databaseUrl = database?.url ?? (await embeddedDatabaseUrl(dataDir, postgresPort));

  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    dataDir,
    logFile,
    databaseUrl,
    redisUrl,
    redisKeyPrefix,
    processes,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await cleanUp(redisUrl);
    },
  };
}

/** The URL the launcher gives the services when it runs embedded PostgreSQL (see tools/launcher/src/postgres-provider.ts). */
async function embeddedDatabaseUrl(dataDir: string, port: number): Promise<string> {
  const password = (await readFile(join(dataDir, 'postgres-password'), 'utf8')).trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/parley`;
}

export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
