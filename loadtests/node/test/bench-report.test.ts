import { describe, expect, it } from 'vitest';
import { idleSocketCheck } from '../src/bench/bench-report.js';

describe('idle socket check (bench report)', () => {
  it('judges the RSS each idle socket adds against the 20 KiB target', () => {
    expect(idleSocketCheck({ perSocketKiB: 16.1, heapPerSocketKiB: 12.8, fromNothingPerSocketKiB: 17 })).toMatchObject({ ok: true, measured: expect.stringMatching(/^16.1 KiB/) });
    expect(idleSocketCheck({ perSocketKiB: 24.5, heapPerSocketKiB: 12.8, fromNothingPerSocketKiB: 25 })).toMatchObject({ ok: false, measured: expect.stringMatching(/^24.5 KiB/) });
  });

  it('refuses a verdict when RSS grew less than the V8 heap the sockets hold (a reading moved)', () => {
    const check = idleSocketCheck({ perSocketKiB: -14.2, heapPerSocketKiB: 12.1, fromNothingPerSocketKiB: 2.9 });
    expect(check.ok).toBe(false);
    expect(check.measured).toMatch(/^not measured: RSS grew -14.2 KiB per socket, less than the V8 heap \(12.1 KiB\)/);
  });
});
