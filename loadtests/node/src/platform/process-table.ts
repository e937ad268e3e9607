import { readFile, readdir } from 'node:fs/promises';

/** Resident set size in bytes (VmRSS), or NaN when the process is gone. */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** CPU time (user + system) in seconds, or NaN when the process is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return Number.NaN;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Time the process's threads spent runnable but waiting for a CPU, in seconds (the second
 * field of /proc/<pid>/task/<tid>/schedstat, summed over threads), or NaN when it is gone.
 * On a saturated machine this, not the CPU a process uses, is where latency comes from.
 */
export async function cpuWaitSeconds(pid: number): Promise<number> {
  const threads = await readdir(`/proc/${pid}/task`).catch(() => undefined);
  if (!threads) return Number.NaN;
  let waitedNs = 0;
  for (const thread of threads) {
    const schedstat = await readFile(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').catch(() => undefined);
    // A thread that ended between readdir and readFile took its numbers with it.
    if (schedstat) waitedNs += Number(schedstat.split(' ')[1] ?? 0);
  }
  return waitedNs / 1e9;
}

/** Busy share of all cores since the previous sample, from /proc/stat. */
export class MachineCpu {
  private previous: { busy: number; total: number } | undefined;

  async sample(): Promise<number> {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    const total = values.reduce((sum, value) => sum + value, 0);
    const current = { busy: total - idle, total };
    const previous = this.previous;
    this.previous = current;
    if (!previous || current.total === previous.total) return Number.NaN;
    return (current.busy - previous.busy) / (current.total - previous.total);
  }
}

/** Pids of every process whose command name (comm) is one of `names` (redis-server, postgres). */
export async function processesNamed(names: string[]): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '')).trim();
    if (names.includes(comm)) pids.push(Number(entry));
  }
  return pids;
}
