import { describe, expect, it } from 'vitest';
import { summarizeCpuProfile, type CpuProfile } from '../src/profile/cpu-profile-summary.js';

/** root → emit (node core) → send (engine.io) ; root → (idle) ; root → (garbage collector) */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4, 5] },
    { id: 2, callFrame: { functionName: 'emit', url: 'node:events', lineNumber: 470 }, children: [3] },
    { id: 3, callFrame: { functionName: 'send', url: 'file:///app/node_modules/engine.io/build/transports/websocket.js', lineNumber: 61 } },
    { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
  ],
  samples: [3, 3, 2, 4, 4, 4, 5],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000],
  startTime: 0,
  endTime: 7000,
};

describe('CPU profile summary', () => {
  it('attributes self time to functions and packages, leaves idle out, and sums inclusive time up the stack', () => {
    const summary = summarizeCpuProfile(profile);
    expect(summary.totalMs).toBe(7);
    expect(summary.busyMs).toBe(4);
    expect(summary.functions[0]).toEqual({ name: 'send engine.io/build/transports/websocket.js:62', selfMs: 2, percent: 50 });
    expect(summary.packages.map((entry) => entry.name)).toEqual(['engine.io', 'node core', '(garbage collector)']);
    expect(summary.inclusive.find((entry) => entry.name.startsWith('emit'))?.selfMs).toBe(3);
  });
});

describe('histogram quantiles from scraped buckets', () => {
  it('interpolates inside the bucket like histogram_quantile, after summing processes and subtracting the earlier scrape', async () => {
    const { bucketQuantile, combineBuckets, histogramBuckets } = await import('../src/bench/service-metrics.js');
    const scrape = (counts: [string, number][]) =>
      counts.map(([le, count]) => `parley_message_ack_seconds_bucket{le="${le}",service="chat-socket"} ${count}`).join('\n');
    const before = histogramBuckets(scrape([['0.01', 10], ['0.1', 10], ['+Inf', 10]]), 'parley_message_ack_seconds');
    const podA = histogramBuckets(scrape([['0.01', 60], ['0.1', 100], ['+Inf', 110]]), 'parley_message_ack_seconds');
    const podB = histogramBuckets(scrape([['0.01', 0], ['0.1', 0], ['+Inf', 0]]), 'parley_message_ack_seconds');
    const delta = combineBuckets(combineBuckets(podA, podB), before, -1);
    expect(delta.get(Number.POSITIVE_INFINITY)).toBe(100);
    expect(bucketQuantile(delta, 0.5)).toBeCloseTo(0.01, 5);
    expect(bucketQuantile(delta, 0.7)).toBeCloseTo(0.01 + (0.09 * 20) / 40, 5);
    // Beyond the last finite bucket: its bound (as Prometheus answers).
    expect(bucketQuantile(delta, 0.99)).toBe(0.1);
    expect(Number.isNaN(bucketQuantile(new Map(), 0.5))).toBe(true);
  });
});
