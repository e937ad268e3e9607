import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '@parley/ports';
import { childProcesses, processEnv, type PlatformProcess } from './platform-processes.js';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from './test-database.js';
import { deleteRedisPrefix } from './test-redis.js';

/** From packages/testing/src (tests) or packages/testing/dist (compiled tools) alike. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LAUNCHER = join(REPO_ROOT, 'tools/launcher/dist/main.js');

export interface LaunchSettings {
  /** Names the data directory, Redis key prefix and throwaway database (default `platform`). */
  label?: string;
  /**
   * Variables for the launcher and its services, over the defaults chosen here (free ports, a
   * fresh PARLEY_DATA_DIR and REDIS_KEY_PREFIX, LOG_LEVEL=warn). `undefined` unsets a variable.
   */
  env?: Record<string, string | undefined>;
  /** Create a throwaway database on this server for the run; without it (and without DATABASE_URL) the launcher runs embedded PostgreSQL. */
  postgresServerUrl?: string;
  /** A Redis to use; without it (and without REDIS_URL) the launcher's choice. */
  redisUrl?: string;
  /** Keep the data directory (logs, CPU profiles) after stopping. */
  keepDataDir?: boolean;
  timeoutMs?: number;
}

export interface LaunchedPlatform {
  /** The one origin (gateway). */
  url: string;
  pid: number;
  child: ChildProcess;
  /** Every line the launcher and its services printed so far. */
  output: string[];
  dataDir: string;
  /** The same lines, on disk, in the data directory. */
  logFile: string;
  /** The database the services use (for persistence probes). */
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  processes(): Promise<PlatformProcess[]>;
  /** SIGTERM (as `kill` or a supervisor sends it); resolves with the exit code after removing what the launch created. */
  stop(): Promise<number | null>;
  /** Ctrl-C as a terminal sends it: SIGINT to the launcher's process group; resolves like `stop`. */
  interrupt(): Promise<number | null>;
}

/**
 * Starts the platform exactly as `npm start` does (the built launcher) on free ports. What this
 * creates (data directory, Redis key prefix, throwaway database) it removes on stop; what the
 * caller passes in `env` stays the caller's.
 */
export async function launchPlatform(settings: LaunchSettings = {}): Promise<LaunchedPlatform> {
  const label = settings.label ?? 'platform';
  const given = settings.env ?? {};
  const ownDataDir = given.PARLEY_DATA_DIR === undefined ? await mkdtemp(join(tmpdir(), `parley-${label}-`)) : undefined;
  const ownPrefix = given.REDIS_KEY_PREFIX === undefined ? testRedisPrefix(label) : undefined;
  let database: TestDatabase | undefined;
  if (settings.postgresServerUrl) database = await createTestDatabase(label, settings.postgresServerUrl);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PARLEY_PORT: String(await freePort()),
    PARLEY_POSTGRES_PORT: String(await freePort()),
    PARLEY_REDIS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    ...(ownDataDir ? { PARLEY_DATA_DIR: ownDataDir } : {}),
    ...(ownPrefix ? { REDIS_KEY_PREFIX: ownPrefix } : {}),
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(settings.redisUrl ? { REDIS_URL: settings.redisUrl } : {}),
  };
  if (!database && !('DATABASE_URL' in given)) delete env.DATABASE_URL;
  if (!settings.redisUrl && !('REDIS_URL' in given)) delete env.REDIS_URL;
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const dataDir = env.PARLEY_DATA_DIR!;
  const redisKeyPrefix = env.REDIS_KEY_PREFIX!;

  const logFile = join(dataDir, 'platform.log');
  const log = createWriteStream(logFile);
  // A process group of its own, as a shell gives a foreground job (interrupt() signals the group).
  const child = spawn(process.execPath, [LAUNCHER], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output: string[] = [];
  const timeoutMs = settings.timeoutMs ?? 180_000;
  const up = new Promise<void>((resolve, reject) => {
    let isUp = false;
    const timer = setTimeout(() => reject(new Error(`the platform did not come up within ${timeoutMs} ms:\n${output.slice(-40).join('\n')}`)), timeoutMs);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        log.write(`${line}\n`);
        output.push(line);
        if (!isUp && line.includes('Parley is up at')) {
          isUp = true;
          clearTimeout(timer);
          resolve();
        }
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      if (!isUp) reject(new Error(`the launcher exited with ${code} before the platform was up:\n${output.slice(-40).join('\n')}`));
    });
  });

  let redisUrl = env.REDIS_URL;
  const cleanUp = async () => {
    if (ownPrefix && redisUrl) await deleteRedisPrefix(ownPrefix, redisUrl).catch(() => undefined);
    await database?.drop().catch(() => undefined);
    log.end();
    if (ownDataDir && !settings.keepDataDir) await rm(ownDataDir, { recursive: true, force: true }).catch(() => undefined);
  };
  const ending = (signal: () => void) => async () => {
    if (child.exitCode === null && child.signalCode === null) signal();
    const code = await exited;
    await cleanUp();
    return code;
  };

  try {
    await up;
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await cleanUp();
    throw error;
  }

  const pid = child.pid!;
  const processes = () => childProcesses(pid);
  if (!redisUrl) {
    const anyService = (await processes()).find((entry) => entry.service === 'chat-socket');
    redisUrl = (anyService ? await processEnv(anyService.pid, 'REDIS_URL') : undefined) ?? 'redis://127.0.0.1:6379';
  }
  const databaseUrl = env.DATABASE_URL ?? (await embeddedDatabaseUrl(dataDir, Number(env.PARLEY_POSTGRES_PORT)));

  return {
    url: `http://127.0.0.1:${env.PARLEY_PORT}`,
    pid,
    child,
    output,
    dataDir,
    logFile,
    databaseUrl,
    redisUrl,
    redisKeyPrefix,
    processes,
    stop: ending(() => child.kill('SIGTERM')),
    interrupt: ending(() => process.kill(-pid, 'SIGINT')),
  };
}

/** The URL the launcher gives the services when it runs embedded PostgreSQL (tools/launcher/src/postgres-provider.ts). */
async function embeddedDatabaseUrl(dataDir: string, port: number): Promise<string> {
  const password = (await readFile(join(dataDir, 'postgres-password'), 'utf8')).trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/parley`;
}
