import type { PlatformProcess } from '../platform/process-table.js';
import { cpuSeconds, MachineCpu, processesNamed } from '../platform/process-table.js';

/** CPU used during an interval, in % of one core, per process group. */
export type CpuShares = Record<string, number>;

interface Sample {
  at: number;
  groups: Record<string, number>;
}

/**
 * Measures where the CPU went during a step: each platform service (its instances summed
 * as `chat-socket ×2`), Redis, PostgreSQL, this generator, and the whole machine.
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
    const shares: CpuShares = {};
    for (const [group, value] of Object.entries(end.groups)) {
      const before = start.groups[group];
      if (before !== undefined) shares[group] = Math.round(((value - before) / seconds) * 100);
    }
    shares['machine (% of all cores)'] = Math.round(machineBusy * 100);
    return shares;
  }

  private async sample(): Promise<Sample> {
    const groups: Record<string, number> = {};
    const add = (group: string, value: number) => {
      if (Number.isFinite(value)) groups[group] = (groups[group] ?? 0) + value;
    };
    for (const entry of await this.processes()) add(entry.service, await cpuSeconds(entry.pid));
    for (const pid of await processesNamed(['redis-server'])) add('redis', await cpuSeconds(pid));
    for (const pid of await processesNamed(['postgres'])) add('postgres', await cpuSeconds(pid));
    const own = process.cpuUsage();
    add('load generator', (own.user + own.system) / 1e6);
    return { at: Date.now(), groups };
  }
}
