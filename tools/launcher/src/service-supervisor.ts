import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { launcherError, launcherLog } from './launcher-log.js';
import { lowerPriority } from './process-priority.js';

export interface SupervisedProcess {
  name: string;
  child: ChildProcess;
}

/**
 * Runs the services as child processes with prefixed logs. Restarts none: when one exits on its
 * own, the whole platform stops loudly (a silently restarted service hides the bug).
 */
export class ServiceSupervisor {
  private readonly processes: SupervisedProcess[] = [];
  private stopping = false;

  constructor(private readonly onUnexpectedExit: (name: string, code: number | null, signal: NodeJS.Signals | null) => void) {}

  /** `niceness` (0–19) lowers the process's CPU priority below the launcher's. */
  start(name: string, entry: string, env: Record<string, string>, niceness = 0): SupervisedProcess {
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, ...env },
      // The IPC channel closes when the launcher dies, however it dies: services then stop.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    if (child.pid !== undefined) lowerPriority(name, child.pid, niceness);
    prefixLines(child.stdout, name, process.stdout);
    prefixLines(child.stderr, name, process.stderr);
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.onUnexpectedExit(name, code, signal);
    });
    const supervised = { name, child };
    this.processes.push(supervised);
    return supervised;
  }

  /** SIGTERM to all (graceful shutdown in each), SIGKILL after the timeout. */
  async stopAll(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.processes].reverse().map(
        ({ name, child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => {
              launcherError(`${name} did not stop within ${timeoutMs} ms, killing it`);
              child.kill('SIGKILL');
            }, timeoutMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    launcherLog('all services stopped');
  }
}

/** Runs a process to completion (migrations), with prefixed logs; rejects on a non-zero exit. */
export function runToCompletion(name: string, entry: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    prefixLines(child.stdout, name, process.stdout);
    prefixLines(child.stderr, name, process.stderr);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited with code ${code}`))));
  });
}

function prefixLines(stream: NodeJS.ReadableStream | null, name: string, out: NodeJS.WritableStream): void {
  if (!stream) return;
  const lines = createInterface({ input: stream });
  lines.on('line', (line) => out.write(`[${name}] ${line}\n`));
}
