import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The load generator's CPU priority (docs/decisions/0044-load-generator-priority.md).
 *
 * The generator stands in for clients on other machines, but here it shares two cores with the
 * servers it measures. When they saturate the machine it waits for a CPU too, and every delivery
 * it timestamps late counts as the server's latency: in one run at 2,000 msg/s it waited 81–87 %
 * of a core and its event loop lagged 180–197 ms at p99. It waits longer beside Parley (which
 * also runs PostgreSQL and a worker) than beside the bare baseline, so the ratio charged Parley
 * for the generator's queueing. Raised priority lets it read the clock when a message arrives;
 * the servers still queue behind each other, and that latency is still measured.
 *
 * With the kernel's autogroup scheduling (on in these VMs) CPU is shared between sessions first,
 * so a process's own nice value changes nothing against the services (each in a session of its
 * own): the session's autogroup nice does. The benchmark therefore re-runs itself in a session of
 * its own, so that raising its group's priority touches no other process of the caller's session.
 */

/** Set in the copy of the benchmark that runs in its own session. */
const OWN_SESSION_ENV = 'PARLEY_BENCH_OWN_SESSION';
const AUTOGROUP_SWITCH = '/proc/sys/kernel/sched_autogroup_enabled';

export interface GeneratorPriority {
  /** The nice value in effect for the generator (0 when not raised). */
  nice: number;
  /** How it was applied, or why not. */
  description: string;
}

function autogroupScheduling(): boolean {
  try {
    return readFileSync(AUTOGROUP_SWITCH, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/**
 * Runs this same command again in a session of its own and resolves with its exit code, or
 * returns undefined when this process should go on itself: no priority asked for, no autogroup
 * scheduling, or this is already that copy. Ctrl-C and SIGTERM are passed on to the copy.
 */
export function relaunchInOwnSession(nice: number): Promise<number> | undefined {
  if (nice === 0 || process.env[OWN_SESSION_ENV] === '1' || !autogroupScheduling()) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, [OWN_SESSION_ENV]: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/**
 * Gives this process (the generator) the nice value `nice`: its session's autogroup under
 * autogroup scheduling, else the process itself. Lowering a nice value needs CAP_SYS_NICE; without
 * it the run goes on at 0 and says so.
 */
export function raiseGeneratorPriority(nice: number): GeneratorPriority {
  if (nice === 0) return { nice: 0, description: 'not raised (--generator-nice 0)' };
  try {
    if (autogroupScheduling()) {
      writeFileSync('/proc/self/autogroup', String(nice));
      return { nice, description: `autogroup nice ${nice} (its own session)` };
    }
    setPriority(nice);
    return { nice, description: `process nice ${nice}` };
  } catch (error) {
    return { nice: 0, description: `not raised (${error instanceof Error ? error.message : String(error)})` };
  }
}
