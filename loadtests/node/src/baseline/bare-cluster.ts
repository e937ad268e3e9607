import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { deleteRedisPrefix } from '@parley/testing';

// Through dist/ from both src/ and dist/: node runs compiled JavaScript even when this runs from source (vitest).
const MAIN = fileURLToPath(new URL('../../dist/baseline/bare-server-main.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export interface BareClusterSettings {
  redisUrl: string;
  adapter: 'sharded' | 'classic';
  /** User id → room ids. */
  membership: ReadonlyMap<string, readonly string[]>;
  /** Processes, as Parley runs two chat-socket processes (default 2). */
  processes?: number;
}

export interface BareCluster {
  pids: number[];
  /** One URL per process, for the sockets to spread over. */
  endpoints: string[];
  stop(): Promise<void>;
}

/** Starts the bare baseline as separate processes sharing one Redis, as Parley's chat-socket pods do. */
export async function startBareCluster(settings: BareClusterSettings): Promise<BareCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-bare-'));
  const membershipFile = join(dir, 'membership.json');
  await writeFile(membershipFile, JSON.stringify(Object.fromEntries(settings.membership)));
  const keyPrefix = `bench-bare:${randomBytes(4).toString('hex')}:`;
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    await deleteRedisPrefix(keyPrefix, settings.redisUrl).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports = await Promise.all(
      Array.from({ length: settings.processes ?? 2 }, (_, index) => {
        const child = spawn(process.execPath, [MAIN], {
          env: {
            ...process.env,
            BARE_REDIS_URL: settings.redisUrl,
            BARE_KEY_PREFIX: keyPrefix,
            BARE_ADAPTER: settings.adapter,
            BARE_MEMBERSHIP_FILE: membershipFile,
            BARE_PROCESS_INDEX: String(index),
          },
          stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
          // A session of its own, as the launcher gives each of Parley's services: with the
          // kernel's autogroup scheduling CPU is shared between sessions, so servers left in the
          // generator's session would get a smaller share of a busy machine than Parley's.
          detached: true,
        });
        children.push(child);
        return portOf(child);
      }),
    );
    return { pids: children.map((child) => child.pid!), endpoints: ports.map((port) => `http://127.0.0.1:${port}`), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a bare server did not start in time')), START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`a bare server exited with code ${code}`));
    });
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
