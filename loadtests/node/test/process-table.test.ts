import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuSeconds, cpuWaitSeconds } from '../src/platform/process-table.js';

describe('process table (Linux /proc)', () => {
  it('reports the CPU a process used and the time its threads waited for a CPU', async () => {
    const busyBefore = await cpuSeconds(process.pid);
    const waitBefore = await cpuWaitSeconds(process.pid);
    const until = Date.now() + 200;
    while (Date.now() < until) Math.sqrt(Math.random());
    expect(await cpuSeconds(process.pid)).toBeGreaterThan(busyBefore);
    const waitAfter = await cpuWaitSeconds(process.pid);
    expect(Number.isFinite(waitAfter)).toBe(true);
    expect(waitAfter).toBeGreaterThanOrEqual(waitBefore);
  });

  it('counts waiting when more threads want to run than there are cores', async () => {
    // One busy process per core plus one: someone must wait, and the spinners are all of them.
    const spinners = Array.from({ length: cpus().length + 1 }, () =>
      spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end) Math.sqrt(Math.random());'], { stdio: 'ignore' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const waited = await Promise.all(spinners.map((child) => cpuWaitSeconds(child.pid!)));
    await Promise.all(spinners.map((child) => once(child, 'exit')));
    expect(waited.reduce((total, seconds) => total + seconds, 0)).toBeGreaterThan(0.1);
  });

  it('gives NaN for a process that is gone', async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(child, 'exit');
    expect(await cpuSeconds(child.pid!)).toBeNaN();
    expect(await cpuWaitSeconds(child.pid!)).toBeNaN();
  });
});
