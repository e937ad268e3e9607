import { cpus } from 'node:os';
import type { PlatformProcess } from '../platform/process-table.js';
import { cpuSeconds, MachineCpu, processesNamed } from '../platform/process-table.js';

/** CPU used during an interval, in % of one core, per process group. */
export type CpuShares = Record<string, number>;

interface Sample {
  at: number;
  /** pid → [group, CPU seconds so far]. */
  processes: Map<number, [string, number]>;
}

/** Pseudo-pid of this process's own entry (process.cpuUsage, not /proc). */
const SELF = -1;

/**
 * Measures where the CPU went during a step: each platform service (its instances summed),
 * Redis, PostgreSQL, this generator, everything else on the machine, and the machine total.
 */
export class CpuMeter {
  private readonly machine = new MachineCpu();
  private start: Sample | undefined;

  constructor(private readonly processes: () => Promise<PlatformProcess[]>) {}

  async begin(): Promise<void> {
    await this.machine.sample();
    this.start = await this.sample();
  }

  async end(): Promise<CpuShares> {
    const machineBusy = await this.machine.sample();
    const end = await this.sample();
    const start = this.start!;
    const seconds = (end.at - start.at) / 1000;
    const used: Record<string, number> = {};
    // Only processes alive at both ends: a PostgreSQL backend that exited would count negative.
    for (const [pid, [group, value]] of end.processes) {
      const before = start.processes.get(pid);
      if (before) used[group] = (used[group] ?? 0) + (value - before[1]);
    }
    const shares: CpuShares = {};
    let ours = 0;
    for (const [group, value] of Object.entries(used)) {
      shares[group] = Math.round((value / seconds) * 100);
      ours += value / seconds;
    }
    const machinePercentOfOneCore = machineBusy * cpus().length * 100;
    shares['other processes'] = Math.max(0, Math.round(machinePercentOfOneCore - ours * 100));
    shares['machine (% of all cores)'] = Math.round(machineBusy * 100);
    return shares;
  }

  private async sample(): Promise<Sample> {
    const processes = new Map<number, [string, number]>();
    const add = (pid: number, group: string, value: number) => {
      if (Number.isFinite(value)) processes.set(pid, [group, value]);
    };
    // Redis and PostgreSQL are counted by name below, wherever they run.
    for (const entry of await this.processes()) if (!entry.service.startsWith('other:')) add(entry.pid, entry.service, await cpuSeconds(entry.pid));
    for (const pid of await processesNamed(['redis-server'])) add(pid, 'redis', await cpuSeconds(pid));
    for (const pid of await processesNamed(['postgres'])) add(pid, 'postgres', await cpuSeconds(pid));
    const own = process.cpuUsage();
    add(SELF, 'load generator', (own.user + own.system) / 1e6);
    return { at: Date.now(), processes };
  }
}
