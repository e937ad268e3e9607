import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setPriority } from 'node:os';
import { launcherError } from './launcher-log.js';

const AUTOGROUP_SWITCH = '/proc/sys/kernel/sched_autogroup_enabled';

function autogroupScheduling(): boolean {
  try {
    return readFileSync(AUTOGROUP_SWITCH, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** The session id of a process (field 6 of /proc/<pid>/stat), or undefined when it is gone. */
export function sessionOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state, ppid, pgrp, session.
    const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
    return Number.isInteger(session) ? session : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sets a process's niceness (0–19, higher yields the CPU sooner). Raising it needs no privilege;
 * still, a refusal only costs latency under load, so it is logged, not fatal.
 *
 * With the kernel's autogroup scheduling (the default of most distributions) CPU is shared
 * between sessions first, and a process's own nice value only orders it against the other
 * processes of its session. Every service runs in a session of its own (spawned detached), so
 * the process nice value alone changes nothing against the others: the session's autogroup nice
 * is set too, never the launcher's own session's (docs/decisions/0047-background-autogroup-niceness.md).
 */
export function lowerPriority(name: string, pid: number, niceness: number): void {
  if (niceness <= 0) return;
  try {
    setPriority(pid, niceness);
    const session = sessionOf(pid);
    if (autogroupScheduling() && session !== undefined && session !== sessionOf(process.pid)) {
      writeFileSync(`/proc/${pid}/autogroup`, String(niceness));
    }
  } catch (error) {
    // Gone meanwhile (a PostgreSQL backend whose connection closed): nothing left to lower.
    const { code, info } = error as NodeJS.ErrnoException & { info?: { code?: string } };
    if (info?.code === 'ESRCH' || code === 'ENOENT') return;
    launcherError(`cannot lower the CPU priority of ${name} (pid ${pid}) to niceness ${niceness}: ${String(error)}`);
  }
}

/** How often the postmaster's new children are given the background niceness. */
const POSTGRES_SWEEP_MS = 1_000;

/** Pids of a process's children (/proc/<pid>/task/<pid>/children), empty when it is gone. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Lowers the priority of a running PostgreSQL (the postmaster, first line of `postmaster.pid`,
 * and every process it forks) until the returned function is called. Each backend calls
 * setsid(), so under autogroup scheduling it is a group of its own that inherits nothing: the
 * postmaster's children are swept once a second, and the worker's pooled connections, which are
 * most of PostgreSQL's work, get the niceness within a second of connecting.
 */
export async function lowerPostgresPriority(databaseDir: string, niceness: number): Promise<() => void> {
  if (niceness <= 0) return () => undefined;
  const pid = Number((await readFile(join(databaseDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return () => undefined;
  lowerPriority('postgres', pid, niceness);
  const lowered = new Set<number>();
  const sweep = () => {
    const children = childrenOf(pid);
    for (const child of children) {
      if (!lowered.has(child)) lowerPriority('postgres', child, niceness);
    }
    lowered.clear();
    for (const child of children) lowered.add(child);
  };
  sweep();
  const timer = setInterval(sweep, POSTGRES_SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}
