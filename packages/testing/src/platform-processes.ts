import { readdir, readFile } from 'node:fs/promises';

/** A process of a launched platform, found through /proc (Linux). */
export interface PlatformProcess {
  pid: number;
  /** `chat-socket`, `persistence-worker`, … from the script path; `other:<program>` otherwise. */
  service: string;
  /** The PORT it was started with, when it has one. */
  port: number | undefined;
  /** Where its /metrics is: METRICS_PORT when set (the admin server), else PORT. */
  metricsPort: number | undefined;
}

/** A running process of one run: its pid, command line and environment. */
export interface RunProcess {
  pid: number;
  command: string;
  env: Record<string, string>;
}

const readProc = (pid: number | string, file: string) => readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '');

const environmentOf = (environ: string): Record<string, string> =>
  Object.fromEntries(environ.split('\0').flatMap((pair) => (pair.includes('=') ? [[pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]] : [])));

function parentOf(stat: string): number {
  // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[1]);
}

/** The direct child processes of `parentPid` (a launcher's services and migrations). */
export async function childProcesses(parentPid: number): Promise<PlatformProcess[]> {
  const found: PlatformProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readProc(entry, 'stat');
    if (!stat || parentOf(stat) !== parentPid) continue;
    const cmdline = (await readProc(entry, 'cmdline')).split('\0');
    const script = cmdline.find((arg) => /services\/[^/]+\/dist/.test(arg));
    // Not a service (embedded PostgreSQL, a redis-server the launcher started): `other:<program>`.
    const service = script ? /services\/([^/]+)\//.exec(script)![1]! : `other:${(cmdline[0] ?? 'unknown').split('/').pop()}`;
    const env = environmentOf(await readProc(entry, 'environ'));
    const port = env.PORT;
    const metricsPort = env.METRICS_PORT;
    found.push({
      pid: Number(entry),
      service,
      port: port ? Number(port) : undefined,
      metricsPort: metricsPort && metricsPort !== '0' ? Number(metricsPort) : port ? Number(port) : undefined,
    });
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/** One environment variable of a running process (readable for our own children). */
export async function processEnv(pid: number, name: string): Promise<string | undefined> {
  return environmentOf(await readProc(pid, 'environ'))[name];
}

/** PIDs of live processes (other than this one) whose environment carries this Redis key prefix: one run's processes. */
export async function processesWithRedisPrefix(prefix: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    if ((await readProc(entry, 'environ')).includes(`REDIS_KEY_PREFIX=${prefix}`)) pids.push(Number(entry));
  }
  return pids;
}

/** The live processes (other than this one) whose environment carries this Redis key prefix: one run's services. */
export async function runProcesses(prefix: string): Promise<RunProcess[]> {
  const found: RunProcess[] = [];
  for (const pid of await processesWithRedisPrefix(prefix)) {
    const [environ, command] = await Promise.all([readProc(pid, 'environ'), readProc(pid, 'cmdline')]);
    found.push({ pid, command: command.split('\0').join(' '), env: environmentOf(environ) });
  }
  return found;
}

/** How the kernel weighs a process's CPU: its own nice value, and its session's autogroup's. */
export interface ProcessScheduling {
  nice: number;
  /** Whether the kernel shares CPU between sessions first (/proc/sys/kernel/sched_autogroup_enabled). */
  autogroupEnabled: boolean;
  /** The nice value of the process's autogroup (/proc/<pid>/autogroup), undefined without one. */
  autogroupNice: number | undefined;
}

export async function schedulingOf(pid: number): Promise<ProcessScheduling> {
  const stat = await readProc(pid, 'stat');
  // After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice.
  const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  const autogroup = /nice\s+(-?\d+)/.exec(await readProc(pid, 'autogroup'));
  return {
    nice,
    autogroupEnabled: (await readFile('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').catch(() => '0')).trim() === '1',
    autogroupNice: autogroup ? Number(autogroup[1]) : undefined,
  };
}
