import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
// The built module, in a fresh node: V8 flags are per process, and this one's must stay untouched.
const HEAP_GROWTH = fileURLToPath(new URL('../../dist/runtime/heap-growth.js', import.meta.url));

/** The growth factors V8 applied when it set the old generation's limit after each major GC. */
async function limitFactorsAfterMajorGc(percent: number): Promise<number[]> {
  const script = `
    const { applyHeapGrowingPercent } = await import(${JSON.stringify(HEAP_GROWTH)});
    applyHeapGrowingPercent(${percent});
    const kept = Array.from({ length: 200 }, (_, i) => Array.from({ length: 1000 }, (_, j) => ({ i, j })));
    gc();
    gc();
    console.log(kept.length);
  `;
  const { stdout } = await run(process.execPath, ['--expose-gc', '--trace-gc-verbose', '--input-type=module', '-e', script], { maxBuffer: 16 * 1024 * 1024 });
  return [...stdout.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)/g)].map((match) => Number(match[1]));
}

describe('applyHeapGrowingPercent', () => {
  it('lets the old generation grow to twice the heap that survived a major GC at 100 %', async () => {
    const factors = await limitFactorsAfterMajorGc(100);
    expect(factors.length).toBeGreaterThan(0);
    expect(new Set(factors)).toEqual(new Set([2]));
  });

  it('applies other percentages as given (50 % → 1.5 ×)', async () => {
    const factors = await limitFactorsAfterMajorGc(50);
    expect(factors.length).toBeGreaterThan(0);
    expect(new Set(factors)).toEqual(new Set([1.5]));
  });

  it("leaves V8's own heuristics alone at 0", async () => {
    // Forced collections of a small heap: V8 picks its fastest-growing factor on its own.
    const factors = await limitFactorsAfterMajorGc(0);
    expect(factors.length).toBeGreaterThan(0);
    expect(factors).not.toContain(2);
  });
});
