import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { launcherError, launcherLog } from './launcher-log.js';
import { lowerPriority } from './process-priority.js';

export interface RestartPolicy {
  /** A service that exits this many times within `windowMs` is given up on (the platform stops). */
  limit: number;
  windowMs: number;
  /** Delay before the first restart; it doubles with each crash in the window, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

export interface SupervisorHooks {
  /** A service exited before `running()` was called: the start fails. */
  exitedWhileStarting(name: string, code: number | null, signal: NodeJS.Signals | null): void;
  /** A service kept crashing: the platform must stop. */
  gaveUp(name: string): void;
}

interface SupervisedService {
  name: string;
  entry: string;
  env: Record<string, string>;
  niceness: number;
  child: ChildProcess;
  /** When it exited on its own, within the policy's window. */
  crashes: number[];
  restartTimer?: NodeJS.Timeout;
}

/**
 * Runs the services as child processes with prefixed logs, each in a process group of its own
 * (`detached`): a Ctrl-C in the terminal signals the launcher's group, not theirs, so only the
 * launcher's SIGTERM reaches them and they drain once, in order. (In the terminal's group they
 * got SIGINT and SIGTERM at once: "second signal, exiting now", no drain.)
 *
 * Once the platform runs, a service that exits is restarted as a kubelet would: a loud line
 * saying how it ended, a backoff that doubles with each crash, and the platform stops only when
 * one keeps crashing (RestartPolicy). Silently restarting would hide the bug; stopping at the
 * first crash took every other service down with it.
 */
export class ServiceSupervisor {
  private readonly services: SupervisedService[] = [];
  private stopping = false;
  private restarting = false;

  constructor(
    private readonly policy: RestartPolicy,
    private readonly hooks: SupervisorHooks,
  ) {}

  /** `niceness` (0–19) lowers the process's CPU priority below the launcher's. */
  start(name: string, entry: string, env: Record<string, string>, niceness = 0): void {
    const service: SupervisedService = { name, entry, env, niceness, child: this.spawn(name, entry, env, niceness), crashes: [] };
    this.services.push(service);
    this.watch(service);
  }

  /** The platform is up: from now on a service that exits is restarted. */
  running(): void {
    this.restarting = true;
  }

  /** SIGTERM to all (graceful shutdown in each), SIGKILL after the timeout. */
  async stopAll(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    for (const service of this.services) clearTimeout(service.restartTimer);
    await Promise.all(
      [...this.services].reverse().map(
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

  private spawn(name: string, entry: string, env: Record<string, string>, niceness: number): ChildProcess {
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, ...env },
      // The IPC channel closes when the launcher dies, however it dies: services then stop.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    if (child.pid !== undefined) lowerPriority(name, child.pid, niceness);
    prefixLines(child.stdout, name, process.stdout);
    prefixLines(child.stderr, name, process.stderr);
    return child;
  }

  private watch(service: SupervisedService): void {
    service.child.once('exit', (code, signal) => {
      if (this.stopping) return;
      if (!this.restarting) {
        this.hooks.exitedWhileStarting(service.name, code, signal);
        return;
      }
      this.crashed(service, code, signal);
    });
  }

  private crashed(service: SupervisedService, code: number | null, signal: NodeJS.Signals | null): void {
    const now = Date.now();
    service.crashes = [...service.crashes.filter((at) => now - at < this.policy.windowMs), now];
    const count = service.crashes.length;
    const window = `${Math.round(this.policy.windowMs / 1000)} s`;
    if (count >= this.policy.limit) {
      launcherError(`${service.name} exited (code ${code}, signal ${signal}) for the ${ordinal(count)} time in ${window}: giving up on it and stopping the platform`);
      this.hooks.gaveUp(service.name);
      return;
    }
    const delayMs = Math.min(this.policy.maxBackoffMs, this.policy.backoffMs * 2 ** (count - 1));
    launcherError(
      `${service.name} exited on its own (code ${code}, signal ${signal}): restarting it in ${(delayMs / 1000).toFixed(1)} s ` +
        `(crash ${count} of ${this.policy.limit} allowed in ${window}; see its log lines above)`,
    );
    service.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      service.child = this.spawn(service.name, service.entry, service.env, service.niceness);
      launcherLog(`${service.name} restarted (pid ${service.child.pid})`);
      this.watch(service);
    }, delayMs);
  }
}

function ordinal(count: number): string {
  return count === 1 ? '1st' : count === 2 ? '2nd' : count === 3 ? '3rd' : `${count}th`;
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
