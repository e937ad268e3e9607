import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Preloaded by the benchmark (`NODE_OPTIONS=--import <this file>`) into the services it starts:
 * on SIGWINCH (ignored by default, so a process without this preload is unaffected) it runs a
 * full garbage collection and writes `process.memoryUsage()` to
 * `$PARLEY_MEMORY_PROBE_DIR/memory.<pid>.<seq>.json`. Measuring after a full GC separates what
 * idle sockets keep alive from garbage their handshakes left behind (which the next major GC
 * would reclaim anyway).
 */
const dir = process.env.PARLEY_MEMORY_PROBE_DIR;
if (dir) {
  // Reaches V8's gc() without restarting node with --expose-gc (a new context picks the flag up).
  setFlagsFromString('--expose-gc');
  const collectGarbage = runInNewContext('gc') as (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
  let sequence = 0;
  // The young generation's size at start-up: what it shrinks back to once the process is idle.
  const idleNewSpace = newSpaceBytes();
  process.on('SIGWINCH', () => void probe());
  // V8 sweeps and gives pages back to the OS after a collection, concurrently: read RSS only
  // once that had time to finish, or a reading taken right after a burst of work keeps pages the
  // next one no longer has. The last collection is V8's last-resort kind (what it runs under
  // memory pressure): it also hands back the free pages a regular one keeps committed.
  // A burst of work (a thousand handshakes) also grows the young generation to 32 MiB, and no
  // collection shrinks it: V8 does that only after it has seen the process idle for some
  // seconds. Until then RSS counts ~30 MiB of empty young generation, which moved readings
  // between identical runs by that much; so the probe waits for it (at most 30 s).
  const probe = async () => {
    for (let round = 0; round < 3; round += 1) {
      collectGarbage();
      await sleep(500);
    }
    const deadline = Date.now() + 30_000;
    let youngGenerationSettled = false;
    for (;;) {
      collectGarbage({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      await sleep(500);
      youngGenerationSettled = newSpaceBytes() <= idleNewSpace;
      if (youngGenerationSettled || Date.now() > deadline) break;
    }
    const usage = process.memoryUsage();
    sequence += 1;
    mkdirSync(dir, { recursive: true });
    // Written aside, then renamed: the benchmark polls the directory for `memory.*` and must
    // never read a file this process is still writing (it once read one empty).
    const name = `memory.${process.pid}.${sequence}.json`;
    writeFileSync(join(dir, `writing-${name}`), JSON.stringify({ pid: process.pid, sequence, youngGenerationSettled, ...usage }));
    renameSync(join(dir, `writing-${name}`), join(dir, name));
  };
}

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}
