import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../run/concurrency.js';

/** The preload the benchmark puts into every service it starts (reacts only to SIGWINCH). */
// Through dist/ from both src/ and dist/: the services load compiled JavaScript even when this runs from source (vitest).
export const MEMORY_PROBE_PRELOAD = fileURLToPath(new URL('../../dist/profile/memory-probe-preload.js', import.meta.url));

/** `process.memoryUsage()` of one process right after a full garbage collection. */
export interface CollectedMemory {
  pid: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** False when the young generation a burst of work grew had not shrunk back before the probe gave up waiting. */
  youngGenerationSettled: boolean;
}

/**
 * Asks each process (started with MEMORY_PROBE_PRELOAD and PARLEY_MEMORY_PROBE_DIR=dir) for a
 * full GC and its memory right after it; resolves with one reading per pid, in order.
 */
export async function memoryAfterFullGc(pids: number[], dir: string, timeoutMs = 45_000): Promise<CollectedMemory[]> {
  const seen = new Set(await readdir(dir).catch(() => []));
  for (const pid of pids) process.kill(pid, 'SIGWINCH');
  const deadline = Date.now() + timeoutMs;
  const readings = new Map<number, CollectedMemory>();
  while (readings.size < pids.length) {
    if (Date.now() > deadline) throw new Error(`no memory reading from ${pids.filter((pid) => !readings.has(pid)).join(', ')} (is the memory probe preloaded?)`);
    await sleep(100);
    for (const file of await readdir(dir).catch(() => [])) {
      if (seen.has(file) || !file.startsWith('memory.')) continue;
      seen.add(file);
      const reading = JSON.parse(await readFile(join(dir, file), 'utf8')) as CollectedMemory;
      if (pids.includes(reading.pid)) readings.set(reading.pid, reading);
    }
  }
  return pids.map((pid) => readings.get(pid)!);
}

/**
 * `memoryAfterFullGc` taken `rounds` times in a row, keeping each process's lowest RSS (and the
 * heap of that reading). A process hands freed pages back to the OS at its own pace (V8's
 * unmapper threads, glibc trimming on a later free), so one reading sometimes still counts
 * 20 MiB that the next no longer has; what a process cannot give back is the lowest reading.
 */
export async function settledMemory(pids: number[], dir: string, rounds = 3): Promise<CollectedMemory[]> {
  let lowest = await memoryAfterFullGc(pids, dir);
  for (let round = 1; round < rounds; round += 1) {
    const readings = await memoryAfterFullGc(pids, dir);
    lowest = lowest.map((reading, index) => (readings[index]!.rss < reading.rss ? readings[index]! : reading));
  }
  return lowest;
}
