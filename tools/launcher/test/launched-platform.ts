import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '@parley/ports';

const LAUNCHER = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface LaunchedPlatform {
  url: string;
  output: string[];
  child: ChildProcess;
  /** Sends SIGTERM (as `kill` or a supervisor would) and resolves with the exit code. */
  stop(): Promise<number | null>;
  /**
   * Ctrl-C as a terminal sends it: SIGINT to the launcher's whole process group (it was started
   * as the leader of one, like a shell's foreground job), and resolves with the exit code.
   */
  interrupt(): Promise<number | null>;
}

/**
 * Starts the platform exactly as `npm start` does (the built launcher), on free ports. A
 * variable given as `undefined` is unset for it (say DATABASE_URL, for embedded PostgreSQL).
 */
export async function launchPlatform(env: Record<string, string | undefined>, timeoutMs = 90_000): Promise<LaunchedPlatform> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PARLEY_PORT: String(port), LOG_LEVEL: 'warn', ...env };
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
  const child = spawn(process.execPath, [LAUNCHER], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, as a shell gives a foreground job (interrupt() signals the group).
    detached: true,
  });
  const output: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => createInterface({ input: stream! }).on('line', (line) => output.push(line));
  collect(child.stdout);
  collect(child.stderr);

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not come up:\n${output.join('\n')}`)), timeoutMs);
    const poll = setInterval(() => {
      if (output.some((line) => line.includes('Parley is up at'))) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`launcher exited with ${code}:\n${output.join('\n')}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output,
    child,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    interrupt: () => {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
      return exited;
    },
  };
}

/** A running process of one run: its pid, command line and environment. */
export interface RunProcess {
  pid: number;
  command: string;
  env: Record<string, string>;
}

/** The live processes (other than this one) whose environment carries this Redis key prefix: one run's services. */
export async function runProcesses(prefix: string): Promise<RunProcess[]> {
  const found: RunProcess[] = [];
  for (const pid of await processesWithRedisPrefix(prefix)) {
    const [environ, command] = await Promise.all([
      readFile(`/proc/${pid}/environ`, 'utf8').catch(() => ''),
      readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
    ]);
    const env = Object.fromEntries(environ.split('\0').flatMap((pair) => (pair.includes('=') ? [[pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]] : [])));
    found.push({ pid, command: command.split('\0').join(' '), env });
  }
  return found;
}

/** PIDs of live processes (other than this one) whose environment carries this Redis key prefix: one run's processes. */
export async function processesWithRedisPrefix(prefix: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.includes(`REDIS_KEY_PREFIX=${prefix}`)) pids.push(Number(entry));
  }
  return pids;
}
