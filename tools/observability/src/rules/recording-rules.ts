import { foldMessageShards } from './message-shards.js';
import type { RecordingRule } from './rule-types.js';
import { SLO_RECORDING_GROUPS } from './slo-rules.js';

export type { RecordingRule };

const QUANTILES = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
] as const;

/** Bucket rates of a histogram aggregated by `by`, then p50/p95/p99 over them. */
function histogramRules(level: string, histogram: string, by: string[]): RecordingRule[] {
  const bucketRecord = `${level}_le:${histogram}_bucket:rate5m`;
  return [
    { record: bucketRecord, expr: `sum by (${[...by, 'le'].join(', ')}) (rate(${histogram}_bucket[5m]))` },
    ...QUANTILES.map(([name, q]) => ({ record: `${level}:${histogram}:${name}_5m`, expr: `histogram_quantile(${q}, ${bucketRecord})` })),
  ];
}

/** socket.io reasons that mean a connection was lost, not closed on purpose by either side. */
export const UNPLANNED_DISCONNECT_REASONS = 'transport close|transport error|ping timeout|parse error';

export const RECORDING_GROUPS: Array<{ name: string; rules: RecordingRule[] }> = [
  ...SLO_RECORDING_GROUPS,
  {
    name: 'parley.http.recording',
    rules: [
      // From the status-class counter: every class exists from a pod's first scrape, so the 5xx
      // rate is 0 (not absent) without errors and a fresh pod's first errors are counted.
      { record: 'namespace_service:parley_http_requests:rate5m', expr: 'sum by (namespace, service) (rate(parley_http_responses_total[5m]))' },
      {
        record: 'namespace_service:parley_http_requests_5xx:rate5m',
        expr: 'sum by (namespace, service) (rate(parley_http_responses_total{status_class="5xx"}[5m]))',
      },
      ...histogramRules('namespace_service', 'parley_http_request_duration_seconds', ['namespace', 'service']),
    ],
  },
  {
    name: 'parley.realtime.recording',
    rules: [
      { record: 'namespace:parley_socket_connected:sum', expr: 'sum by (namespace) (parley_socket_connected)' },
      { record: 'namespace:parley_messages_accepted:rate5m', expr: 'sum by (namespace) (rate(parley_messages_accepted_total[5m]))' },
      { record: 'namespace:parley_fanout_deliveries:rate5m', expr: 'sum by (namespace) (rate(parley_fanout_deliveries_total[5m]))' },
      {
        record: 'namespace:parley_socket_unplanned_disconnects:rate5m',
        expr: `sum by (namespace) (rate(parley_socket_disconnects_total{reason=~"${UNPLANNED_DISCONNECT_REASONS}"}[5m]))`,
      },
      ...histogramRules('namespace', 'parley_message_ack_seconds', ['namespace']),
      ...histogramRules('namespace', 'parley_fanout_latency_seconds', ['namespace']),
    ],
  },
  {
    name: 'parley.queues.recording',
    rules: [
      // Every worker and chat-socket pod samples the same queues: max over pods, not sum; then
      // the shards of `messages` summed into one `queue="messages"` series.
      {
        record: 'namespace_queue:parley_queue_jobs_waiting:max',
        expr: foldMessageShards('sum', 'max by (namespace, queue) (parley_queue_jobs{state="waiting"})'),
      },
      {
        record: 'namespace_queue:parley_queue_oldest_waiting_age_seconds:max',
        expr: foldMessageShards('max', 'parley_queue_oldest_waiting_age_seconds'),
      },
      { record: 'namespace:parley_messages_unpersisted:max', expr: 'max by (namespace) (parley_messages_unpersisted)' },
      { record: 'namespace:parley_persistence_lag_oldest_seconds:max', expr: 'max by (namespace) (parley_persistence_lag_oldest_seconds)' },
      ...histogramRules('namespace', 'parley_persistence_lag_seconds', ['namespace']),
    ],
  },
  {
    name: 'parley.auth.recording',
    rules: [{ record: 'namespace_outcome:parley_auth_logins:rate5m', expr: 'sum by (namespace, outcome) (rate(parley_auth_logins_total[5m]))' }],
  },
];
