import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setPriority } from 'node:os';
import { launcherError } from './launcher-log.js';

/**
 * Sets a process's niceness (0–19, higher yields the CPU sooner). Raising it needs no privilege;
 * still, a refusal only costs latency under load, so it is logged, not fatal.
 */
export function lowerPriority(name: string, pid: number, niceness: number): void {
  if (niceness <= 0) return;
  try {
    setPriority(pid, niceness);
  } catch (error) {
    launcherError(`cannot lower the CPU priority of ${name} (pid ${pid}) to niceness ${niceness}: ${String(error)}`);
  }
}

/**
 * Lowers the priority of a running PostgreSQL's postmaster (first line of `postmaster.pid`);
 * the backends it forks from now on, one per connection, inherit it.
 */
export async function lowerPostgresPriority(databaseDir: string, niceness: number): Promise<void> {
  if (niceness <= 0) return;
  const pid = Number((await readFile(join(databaseDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0) lowerPriority('postgres', pid, niceness);
}
