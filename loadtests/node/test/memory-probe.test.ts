import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryAfterFullGc, settledMemory, type CollectedMemory } from '../src/bench/memory-probe.js';

// The built preload, as the benchmark passes it to the services (npm test builds first).
const PRELOAD = fileURLToPath(new URL('../dist/profile/memory-probe-preload.js', import.meta.url));

const children: ChildProcess[] = [];
const dirs: string[] = [];

/** A process that holds `megabytes` of live objects and some garbage, and says when it is ready. */
async function startHolder(megabytes: number, env: Record<string, string>, extra = ''): Promise<ChildProcess> {
  const script = `
    ${extra}
    const live = Array.from({ length: ${megabytes} }, () => Array.from({ length: 1024 * 16 }, (_, i) => ({ i })));
    for (let round = 0; round < 50; round++) Array.from({ length: 100000 }, (_, i) => ({ i }));
    globalThis.live = live;
    console.log('ready');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', PRELOAD, '-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('memory probe (benchmark preload)', () => {
  it('reads each process right after a full GC, so live objects count and garbage does not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memory-probe-'));
    dirs.push(dir);
    const [small, large] = await Promise.all([startHolder(1, { PARLEY_MEMORY_PROBE_DIR: dir }), startHolder(8, { PARLEY_MEMORY_PROBE_DIR: dir })]);
    const [smallReading, largeReading] = await memoryAfterFullGc([small.pid!, large.pid!], dir);
    expect(smallReading!.pid).toBe(small.pid);
    expect(largeReading!.pid).toBe(large.pid);
    // 7 more "megabytes" of 16 Ki small objects each: far more live heap, and nothing of the garbage.
    expect(largeReading!.heapUsed - smallReading!.heapUsed).toBeGreaterThan(7 * 16 * 1024 * 16);
    expect(smallReading!.heapUsed).toBeLessThan(40 * 2 ** 20);
    expect(largeReading!.rss).toBeGreaterThan(largeReading!.heapUsed);
  });

  it('waits until the young generation a burst of allocations grew is back to its idle size, so RSS does not count it empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memory-probe-'));
    dirs.push(dir);
    // The holder's garbage rounds grow the young generation to its maximum (32 MiB).
    const holder = await startHolder(1, { PARLEY_MEMORY_PROBE_DIR: dir });
    const [reading] = await memoryAfterFullGc([holder.pid!], dir);
    expect(reading!.youngGenerationSettled).toBe(true);
    // What V8 has committed beyond the live heap: a few MiB, not the grown young generation.
    expect(reading!.heapTotal - reading!.heapUsed).toBeLessThan(12 * 2 ** 20);
  });

  it('fails clearly, instead of waiting for ever, when a process was started without the probe', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memory-probe-'));
    dirs.push(dir);
    const unprobed = await startHolder(1, {});
    await expect(memoryAfterFullGc([unprobed.pid!], dir, 1_000)).rejects.toThrow(/no memory reading from \d+ \(is the memory probe preloaded\?\)/);
    // SIGWINCH is ignored by default: the process is still there.
    expect(unprobed.exitCode).toBeNull();
  });

  it('keeps each process its lowest reading, so memory it hands back between readings does not count', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memory-probe-'));
    dirs.push(dir);
    // 64 MiB of native memory, let go when the second reading is asked for.
    const dropsLate = `
      let held = Buffer.alloc(64 * 2 ** 20, 1);
      let signals = 0;
      process.on('SIGWINCH', () => { signals += 1; if (signals === 2) held = undefined; });`;
    const holder = await startHolder(1, { PARLEY_MEMORY_PROBE_DIR: dir }, dropsLate);
    const [settled] = await settledMemory([holder.pid!], dir, 3);
    const first = JSON.parse(await readFile(join(dir, `memory.${holder.pid}.1.json`), 'utf8')) as CollectedMemory;
    expect(settled!.pid).toBe(holder.pid);
    expect(first.rss - settled!.rss).toBeGreaterThan(48 * 2 ** 20);
  });
});
