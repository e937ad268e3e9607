import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const distDir = fileURLToPath(new URL('../../dist/', import.meta.url));
export const WORKER_MAIN = `${distDir}main.js`;
export const RETRY_FAILED_CLI = `${distDir}failed-jobs/retry-failed-cli.js`;

/** These tests run the built worker (`npm test` builds first); say how to fix it when it is missing. */
export function requireBuiltWorker(): void {
  if (!existsSync(WORKER_MAIN) || !existsSync(RETRY_FAILED_CLI)) {
    throw new Error(
      'services/persistence-worker/dist is missing: build it with `npx tsc -b services/persistence-worker` (root `npm test` builds before running vitest).',
    );
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Output so far, for failure messages. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** `node services/persistence-worker/dist/main.js` with exactly this environment (plus PATH). */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    child,
    exited,
    output: () => output,
    kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}

/** Afterwards: SIGKILL the worker processes this file started and that are still alive. */
export async function killSpawnedWorkers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Runs the built retry CLI and collects its output. */
export function runRetryFailedCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RETRY_FAILED_CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The HTTP port a worker started with PORT=0 and LOG_LEVEL=info reports in its "listening" log line. */
export function listeningPort(worker: WorkerProcess): number | undefined {
  return portLogged(worker, 'persistence-worker listening');
}

/** The admin port (/metrics) a worker started with METRICS_PORT=0 and LOG_LEVEL=info reports. */
export function adminPort(worker: WorkerProcess): number | undefined {
  return portLogged(worker, 'persistence-worker admin server listening');
}

function portLogged(worker: WorkerProcess, message: string): number | undefined {
  for (const line of worker.output().split('\n')) {
    if (!line.includes(message)) continue;
    const { port } = JSON.parse(line) as { port?: number };
    return port;
  }
  return undefined;
}
