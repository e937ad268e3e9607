import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { raiseGeneratorPriority, relaunchInOwnSession } from '../src/bench/generator-priority.js';

const run = promisify(execFile);
/** The built module (npm test builds first): the child below is plain Node. */
const BUILT = fileURLToPath(new URL('../dist/bench/generator-priority.js', import.meta.url));
const autogroupScheduling = existsSync('/proc/sys/kernel/sched_autogroup_enabled') && readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
const mayLowerNice = process.getuid?.() === 0;
const workDir = mkdtempSync(join(tmpdir(), 'parley-generator-priority-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the load generator priority', () => {
  it('goes on in the same process, at its own nice value, when no priority is asked for', () => {
    expect(relaunchInOwnSession(0)).toBeUndefined();
    expect(raiseGeneratorPriority(0)).toEqual({ nice: 0, description: 'not raised (--generator-nice 0)' });
  });

  it.runIf(autogroupScheduling && mayLowerNice)(
    'runs the command again in a session of its own and raises only that session\'s autogroup, passing on its exit code',
    async () => {
      const script = join(workDir, 'generator.mjs');
      writeFileSync(
        script,
        `import { readFileSync } from 'node:fs';
import { raiseGeneratorPriority, relaunchInOwnSession } from ${JSON.stringify(BUILT)};
const relaunched = relaunchInOwnSession(-7);
if (relaunched) {
  process.stdout.write(JSON.stringify({ launcherPid: process.pid }) + '\\n');
  process.exitCode = await relaunched;
} else {
  const priority = raiseGeneratorPriority(-7);
  const session = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[3]);
  process.stdout.write(JSON.stringify({ priority, pid: process.pid, session, autogroup: readFileSync('/proc/self/autogroup', 'utf8').trim() }) + '\\n');
  process.exitCode = 3;
}
`,
      );
      const ownGroupBefore = readFileSync('/proc/self/autogroup', 'utf8');
      const result = await run(process.execPath, [script]).catch((error: { code: number; stdout: string }) => error);
      const lines = (result.stdout as string).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const launcher = lines.find((line) => 'launcherPid' in line)!;
      const copy = lines.find((line) => 'priority' in line)!;
      expect(copy.priority).toEqual({ nice: -7, description: 'autogroup nice -7 (its own session)' });
      // The copy leads a session of its own, so the nice value is its group's alone.
      expect(copy.session).toBe(copy.pid);
      expect(copy.pid).not.toBe(launcher.launcherPid);
      expect(copy.autogroup).toMatch(/ nice -7$/);
      expect(readFileSync('/proc/self/autogroup', 'utf8')).toBe(ownGroupBefore);
      expect('code' in result ? result.code : 0).toBe(3);
    },
  );
});
