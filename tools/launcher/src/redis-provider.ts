import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';
import { access, constants } from 'node:fs/promises';
import { launcherLog } from './launcher-log.js';

export interface ProvidedRedis {
  url: string;
  stop(): Promise<void>;
}

export interface RedisSettings {
  redisUrl?: string;
  dataDir: string;
  port: number;
  /** Whether to try 127.0.0.1:6379 before starting our own. */
  probeDefault?: boolean;
}

export class RedisUnavailableError extends Error {
  constructor() {
    super(
      'No Redis found. Set REDIS_URL, run Redis on 127.0.0.1:6379, or install redis-server ' +
        '(Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`) so the launcher can start it.',
    );
  }
}

/** REDIS_URL; else 127.0.0.1:6379 if it answers PING; else a redis-server from PATH in the data dir. */
export async function provideRedis(settings: RedisSettings): Promise<ProvidedRedis> {
  if (settings.redisUrl) {
    launcherLog('Redis: using REDIS_URL');
    return { url: settings.redisUrl, stop: async () => undefined };
  }
  if ((settings.probeDefault ?? true) && (await answersPing('127.0.0.1', 6379))) {
    launcherLog('Redis: using 127.0.0.1:6379');
    return { url: 'redis://127.0.0.1:6379', stop: async () => undefined };
  }
  const binary = await findOnPath('redis-server');
  if (!binary) throw new RedisUnavailableError();
  return startRedisServer(binary, settings.dataDir, settings.port);
}

async function startRedisServer(binary: string, dataDir: string, port: number): Promise<ProvidedRedis> {
  const dir = join(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  // AOF fsynced before every reply and noeviction: what the platform needs for an acknowledged
  // message to survive a crash (MESSAGE_DURABILITY=fsync) and for queued ones never to be evicted.
  // Its own process group, like the services: a Ctrl-C must not stop it before they have drained.
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore', detached: true },
  );
  // If the launcher exits without stopping it (a crash), stop it too rather than leave it running.
  const stopOnExit = () => child.kill('SIGTERM');
  process.once('exit', stopOnExit);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (await answersPing('127.0.0.1', port)) {
      launcherLog(`Redis: started ${binary} on 127.0.0.1:${port} (data in ${dir}, appendfsync always)`);
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: () => {
          process.removeListener('exit', stopOnExit);
          return stopChild(child);
        },
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Speaks just enough RESP to ask PING, with a short timeout. */
export function answersPing(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
