import { cpus } from 'node:os';
import type { PlatformProcess } from '@parley/testing';
import { cpuSeconds, cpuWaitSeconds, MachineCpu, processesNamed } from '../platform/process-table.js';

/** CPU used during an interval, in % of one core, per process group. */
export type CpuShares = Record<string, number>;

export interface CpuUse {
  /** CPU time used, per group, then everything else and the machine. */
  busy: CpuShares;
  /**
   * Time runnable but not running (waiting for a core), per group, in % of one core: 100 means
   * that on average one of the group's threads was waiting all the time.
   */
  waiting: CpuShares;
}

interface ProcessSample {
  group: string;
  /** CPU seconds so far. */
  busy: number;
  /** Seconds spent waiting for a CPU so far. */
  waiting: number;
}

interface Sample {
  at: number;
  processes: Map<number, ProcessSample>;
}

/** Pseudo-pid of this process's own entry (process.cpuUsage, not /proc). */
const SELF = -1;

/**
 * Measures where the CPU went during a step: each platform service (its instances summed),
 * Redis, PostgreSQL, this generator, everything else on the machine, and the machine total;
 * and how long each waited for a CPU.
 */
export class CpuMeter {
  private readonly machine = new MachineCpu();
  private start: Sample | undefined;

  constructor(private readonly processes: () => Promise<PlatformProcess[]>) {}

  async begin(): Promise<void> {
    await this.machine.sample();
    this.start = await this.sample();
  }

  async end(): Promise<CpuUse> {
    const machineBusy = await this.machine.sample();
    const end = await this.sample();
    const start = this.start!;
    const seconds = (end.at - start.at) / 1000;
    const used: Record<string, number> = {};
    const waited: Record<string, number> = {};
    // Only processes alive at both ends: a PostgreSQL backend that exited would count negative.
    for (const [pid, sample] of end.processes) {
      const before = start.processes.get(pid);
      if (!before) continue;
      used[sample.group] = (used[sample.group] ?? 0) + (sample.busy - before.busy);
      // A thread that exited takes its wait with it; never count less than nothing.
      waited[sample.group] = (waited[sample.group] ?? 0) + Math.max(0, sample.waiting - before.waiting);
    }
    const busy: CpuShares = {};
    const waiting: CpuShares = {};
    let ours = 0;
    for (const [group, value] of Object.entries(used)) {
      busy[group] = Math.round((value / seconds) * 100);
      ours += value / seconds;
      if (Number.isFinite(waited[group])) waiting[group] = Math.round((waited[group]! / seconds) * 100);
    }
    const machinePercentOfOneCore = machineBusy * cpus().length * 100;
    busy['other processes'] = Math.max(0, Math.round(machinePercentOfOneCore - ours * 100));
    busy['machine (% of all cores)'] = Math.round(machineBusy * 100);
    return { busy, waiting };
  }

  private async sample(): Promise<Sample> {
    const processes = new Map<number, ProcessSample>();
    const add = async (pid: number, group: string, busy: number) => {
      if (!Number.isFinite(busy)) return;
      processes.set(pid, { group, busy, waiting: await cpuWaitSeconds(pid === SELF ? process.pid : pid) });
    };
    // Redis and PostgreSQL are counted by name below, wherever they run.
    for (const entry of await this.processes()) if (!entry.service.startsWith('other:')) await add(entry.pid, entry.service, await cpuSeconds(entry.pid));
    for (const pid of await processesNamed(['redis-server'])) await add(pid, 'redis', await cpuSeconds(pid));
    for (const pid of await processesNamed(['postgres'])) await add(pid, 'postgres', await cpuSeconds(pid));
    const own = process.cpuUsage();
    await add(SELF, 'load generator', (own.user + own.system) / 1e6);
    return { at: Date.now(), processes };
  }
}
