import type { PhaseStats } from '../run/delivery-ledger.js';
import type { SecondBucket } from '../run/time-series.js';
import { lineChart, type ChartSeries } from './svg-chart.js';

/** Latency over time and throughput over time of one or more consecutive phases. */
export function runCharts(phases: PhaseStats[], latencyTargetMs?: number): string[] {
  const origin = phases[0]?.startedAt ?? 0;
  const points = (pick: (bucket: SecondBucket) => number) =>
    phases.flatMap((phase) => {
      const offset = (phase.startedAt - origin) / 1000;
      return phase.series.all().map((bucket): [number, number] => [offset + bucket.second + 0.5, pick(bucket)]);
    });
  const latency: ChartSeries[] = [
    { name: 'delivery p50', color: '#1e88e5', points: points((bucket) => bucket.delivery.percentile(50)) },
    { name: 'delivery p99', color: '#e53935', points: points((bucket) => bucket.delivery.percentile(99)) },
    { name: 'ack p99', color: '#8e24aa', points: points((bucket) => bucket.ack.percentile(99)) },
  ];
  const throughput: ChartSeries[] = [
    { name: 'sent/s', color: '#757575', points: points((bucket) => bucket.sent) },
    { name: 'acknowledged/s', color: '#43a047', points: points((bucket) => bucket.acknowledged) },
    { name: 'deliveries/s', color: '#fb8c00', points: points((bucket) => bucket.received) },
  ];
  return [
    lineChart({
      title: 'Latency over time',
      xLabel: 'seconds',
      yLabel: 'milliseconds',
      series: latency,
      ...(latencyTargetMs ? { threshold: { value: latencyTargetMs, label: `target p99 ${latencyTargetMs} ms` } } : {}),
    }),
    lineChart({ title: 'Throughput over time', xLabel: 'seconds', yLabel: 'per second', series: throughput }),
  ];
}
