import { LatencySamples } from './latency-samples.js';

/** What happened in one second of a run (for the report's charts and the progress line). */
export interface SecondBucket {
  /** Seconds since the run started. */
  second: number;
  sent: number;
  acknowledged: number;
  failedSends: number;
  received: number;
  ack: LatencySamples;
  delivery: LatencySamples;
}

/** Per-second buckets keyed by the time since the series started. */
export class TimeSeries {
  private readonly buckets: SecondBucket[] = [];

  constructor(readonly startedAt: number) {}

  at(now: number): SecondBucket {
    const second = Math.max(0, Math.floor((now - this.startedAt) / 1000));
    while (this.buckets.length <= second) {
      this.buckets.push({
        second: this.buckets.length,
        sent: 0,
        acknowledged: 0,
        failedSends: 0,
        received: 0,
        ack: new LatencySamples(),
        delivery: new LatencySamples(),
      });
    }
    return this.buckets[second]!;
  }

  all(): readonly SecondBucket[] {
    return this.buckets;
  }
}
