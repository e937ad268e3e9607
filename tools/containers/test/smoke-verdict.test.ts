import { describe, expect, it } from 'vitest';
import { Checks } from '../src/checks.js';
import { smokeExitCode } from '../src/smoke-verdict.js';

const quiet = () => undefined;

describe('the container smoke test exit code', () => {
  it('is 0 when checks passed and none failed', () => {
    expect(smokeExitCode({ passed: 87, failed: 0 })).toBe(0);
  });

  it('is 1 when any check failed, however many passed', () => {
    expect(smokeExitCode({ passed: 86, failed: 1 })).toBe(1);
  });

  it('is 1 when no check passed (a run that stopped before its first check proved nothing)', () => {
    expect(smokeExitCode({ passed: 0, failed: 0 })).toBe(1);
    expect(smokeExitCode({ passed: 0, failed: 1 })).toBe(1);
  });

  it('is 1 for a tally where a check threw, 0 for one where every check returned', async () => {
    const broken = new Checks(quiet);
    await broken.check('image starts', () => 'running');
    await broken.check('readiness probe', () => {
      throw new Error('connection refused');
    });
    expect(broken.summary()).toBe('1 passed, 1 failed');
    expect(smokeExitCode(broken)).toBe(1);

    const healthy = new Checks(quiet);
    await healthy.check('image starts', async () => 'running');
    expect(smokeExitCode(healthy)).toBe(0);
  });
});
