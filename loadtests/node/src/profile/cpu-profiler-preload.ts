import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * Preloaded with `NODE_OPTIONS=--import <this file>` (Node 20 refuses `--cpu-prof` in
 * NODE_OPTIONS): writes V8 `.cpuprofile` files into PARLEY_CPU_PROFILE_DIR, named like
 * `--cpu-prof` names them (CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile).
 *
 * With PARLEY_CPU_PROFILE_ON_SIGNAL=1 each SIGUSR2 starts or stops a profile (so a benchmark
 * can profile one load step, not start-up); otherwise the whole process life is profiled.
 */
const dir = process.env.PARLEY_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  let running = false;
  let sequence = 0;
  const start = () => {
    session.post('Profiler.start');
    running = true;
  };
  // A same-thread inspector session answers synchronously, so this completes at once (even in 'exit').
  const stop = () => {
    if (!running) return;
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      sequence += 1;
      mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '.').slice(0, 15);
      const name = `CPU.${stamp}.${process.pid}.0.${String(sequence).padStart(3, '0')}.cpuprofile`;
      writeFileSync(join(dir, name), JSON.stringify(result.profile));
    });
  };
  if (process.env.PARLEY_CPU_PROFILE_ON_SIGNAL === '1') {
    process.on('SIGUSR2', () => (running ? stop() : start()));
  } else {
    start();
  }
  process.once('exit', stop);
}
