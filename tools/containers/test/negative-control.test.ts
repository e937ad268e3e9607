import { describe, expect, it } from 'vitest';
import { Checks } from '../src/checks.js';
import { expectReportedFailed } from '../src/negative-control.js';

const quiet = () => undefined;

/** What the control's tally holds after a check function ran on a broken workload. */
async function observedAfter(checkFunction: () => string): Promise<Checks> {
  const observed = new Checks(quiet);
  await observed.check('startupProbe control-exits-at-start-0/app httpGet :9/healthz', checkFunction);
  return observed;
}

describe('the negative control', () => {
  it('passes when the broken workload was reported as failed for its reason', async () => {
    const observed = await observedAfter(() => {
      throw new Error('the container is not running (last probe: socket hang up)');
    });
    expect(expectReportedFailed(observed, 'startupProbe control-exits-at-start-0/', /not running/)).toMatch(/not running/);
  });

  it('fails when the check function reported the broken workload as passed', async () => {
    const observed = await observedAfter(() => '1 attempt');
    expect(() => expectReportedFailed(observed, 'startupProbe control-exits-at-start-0/', /not running/)).toThrow(/reported as passed/);
  });

  it('fails when the check failed for another reason than the breakage', async () => {
    const observed = await observedAfter(() => {
      throw new Error('podman run … exited 125: image not known');
    });
    expect(() => expectReportedFailed(observed, 'startupProbe control-exits-at-start-0/', /not running/)).toThrow(/not with/);
  });

  it('fails when the check never ran', () => {
    expect(() => expectReportedFailed(new Checks(quiet), 'startupProbe control-exits-at-start-0/', /not running/)).toThrow(/no check/);
  });
});
