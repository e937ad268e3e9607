import { describe, expect, it } from 'vitest';
import { idleSocketCheck } from '../src/bench/bench-report.js';

describe('idle socket check (bench report)', () => {
  it('judges the RSS each idle socket adds against the 20 KiB target', () => {
    expect(idleSocketCheck({ perSocketKiB: 16.1, heapPerSocketKiB: 12.8, fromNothingPerSocketKiB: 17 })).toMatchObject({ ok: true, measured: expect.stringMatching(/^16.1 KiB/) });
    expect(idleSocketCheck({ perSocketKiB: 24.5, heapPerSocketKiB: 12.8, fromNothingPerSocketKiB: 25 })).toMatchObject({ ok: false, measured: expect.stringMatching(/^24.5 KiB/) });
  });

  it('refuses a verdict when RSS grew well below the V8 heap the sockets hold (a reading moved)', () => {
    for (const perSocketKiB of [-14.2, 9.6]) {
      const check = idleSocketCheck({ perSocketKiB, heapPerSocketKiB: 12.1, fromNothingPerSocketKiB: 2.9 });
      expect(check.ok).toBe(false);
      expect(check.measured).toMatch(new RegExp(`^not measured: RSS grew ${perSocketKiB} KiB per socket, well below the V8 heap \\(12.1 KiB\\)`));
    }
  });

  it('judges the heap growth when RSS trails it a little (the heap filled pages already resident)', () => {
    const check = idleSocketCheck({ perSocketKiB: 11.1, heapPerSocketKiB: 11.2, fromNothingPerSocketKiB: 11.9 });
    expect(check).toMatchObject({ ok: true, measured: expect.stringMatching(/^11.2 KiB \(the V8 heap's growth; RSS grew 11.1 KiB/) });
    expect(idleSocketCheck({ perSocketKiB: 19.5, heapPerSocketKiB: 21, fromNothingPerSocketKiB: 20 }).ok).toBe(false);
  });
});
