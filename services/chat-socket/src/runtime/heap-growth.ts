import { setFlagsFromString } from 'node:v8';

/**
 * Lets V8's old generation grow to `(1 + percent / 100)` × the heap that survived the last
 * major GC before it starts the next one (`--heap-growing-percent`; 0 leaves V8's own
 * heuristics). A pod's live heap is mostly its sockets, and marking all of it is what each
 * major GC costs: under load V8's default factor ran one every ~3 s per pod, and each one
 * stalled message delivery for ~100–250 ms on a busy machine (docs/decisions/0024-heap-growing-percent.md).
 *
 * Set at start-up rather than on the command line because NODE_OPTIONS refuses the flag and
 * the launcher and the container image would both have to repeat it; V8 reads it at every
 * GC, so it applies from the first collection after this call.
 */
export function applyHeapGrowingPercent(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
