import type { AlertingRule, RecordingRule } from './rule-types.js';

/**
 * The service level objectives of docs/slos.md, as recording rules (the SLI's bad-event ratio over
 * each window) and multi-window, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs",
 * table 5-8): a page when 2% of a 30-day budget burns in an hour (14.4×, over 1 h and 5 m) or 5%
 * in six hours (6×, over 6 h and 30 m); a ticket when 10% burns in three days (1×, over 3 d and
 * 6 h). The short window makes an alert stop soon after the burning stops.
 */
export interface ServiceLevelObjective {
  /** Alert name. */
  alert: string;
  /** Recording-rule metric part: `namespace:<record>:ratio_rate<window>`. */
  record: string;
  /** Allowed share of bad events over 30 days (1 − the objective). */
  budget: number;
  /** The bad-event ratio over a window, aggregated by namespace (`$w` is replaced by the window). */
  badRatio: string;
  objective: string;
  why: string;
}

const WINDOWS = ['5m', '30m', '1h', '6h', '3d'] as const;

/** Share of a histogram's observations above `le` seconds. */
function slowerThan(histogram: string, le: string): string {
  return `1 - (sum by (namespace) (rate(${histogram}_bucket{le="${le}"}[$w])) / sum by (namespace) (rate(${histogram}_count[$w])))`;
}

export const SLOS: ServiceLevelObjective[] = [
  {
    alert: 'ParleySendAvailabilityBudgetBurn',
    record: 'parley_slo_send_errors',
    budget: 0.001,
    badRatio:
      'sum by (namespace) (rate(parley_socket_events_total{event="message:send", outcome=~"unavailable|internal"}[$w])) / sum by (namespace) (rate(parley_socket_events_total{event="message:send"}[$w]))',
    objective: '99.9% of message:send events are answered without a server error',
    why: 'senders see “cannot send” or retry',
  },
  {
    alert: 'ParleyAckLatencyBudgetBurn',
    record: 'parley_slo_ack_slow',
    budget: 0.01,
    badRatio: slowerThan('parley_message_ack_seconds', '0.1'),
    objective: '99% of sends are acknowledged within 100 ms of their frame arriving',
    why: 'senders wait for their messages to be confirmed',
  },
  {
    alert: 'ParleyDeliveryLatencyBudgetBurn',
    record: 'parley_slo_delivery_slow',
    budget: 0.01,
    badRatio: slowerThan('parley_fanout_latency_seconds', '0.1'),
    objective: '99% of broadcasts are written to the recipients’ sockets within 100 ms of the message’s acceptance',
    why: 'recipients see messages late',
  },
  {
    alert: 'ParleyPersistenceLagBudgetBurn',
    record: 'parley_slo_persistence_slow',
    budget: 0.01,
    badRatio: slowerThan('parley_persistence_lag_seconds', '1'),
    objective: '99% of accepted messages are stored in PostgreSQL within 1 s',
    why: 'history misses recent messages once they leave the Redis window, and Redis holds their only copy meanwhile',
  },
];

const recordName = (slo: ServiceLevelObjective, window: string) => `namespace:${slo.record}:ratio_rate${window}`;

export const SLO_RECORDING_GROUPS: Array<{ name: string; rules: RecordingRule[] }> = [
  {
    name: 'parley.slo.recording',
    rules: SLOS.flatMap((slo) => WINDOWS.map((window) => ({ record: recordName(slo, window), expr: slo.badRatio.replaceAll('$w', window) }))),
  },
];

function burning(slo: ServiceLevelObjective, factor: number, long: string, short: string): string {
  const threshold = Number((factor * slo.budget).toPrecision(6));
  return `(${recordName(slo, long)} > ${threshold} and ${recordName(slo, short)} > ${threshold})`;
}

export const SLO_ALERT_GROUPS: Array<{ name: string; rules: AlertingRule[] }> = [
  {
    name: 'parley.slo',
    rules: SLOS.flatMap((slo): AlertingRule[] => [
      {
        alert: slo.alert,
        expr: `${burning(slo, 14.4, '1h', '5m')}\nor\n${burning(slo, 6, '6h', '30m')}`,
        for: '2m',
        severity: 'critical',
        summary: `The error budget of “${slo.objective}” burns fast`,
        description: `In {{ $labels.namespace }}, {{ $value | humanizePercentage }} of events miss the objective “${slo.objective}” (budget ${slo.budget * 100}% over 30 days): at this rate the month’s budget is gone in days; ${slo.why}.`,
      },
      {
        alert: slo.alert,
        expr: burning(slo, 1, '3d', '6h'),
        for: '1h',
        severity: 'warning',
        summary: `The error budget of “${slo.objective}” burns steadily`,
        description: `In {{ $labels.namespace }}, {{ $value | humanizePercentage }} of events over three days missed the objective “${slo.objective}” (budget ${slo.budget * 100}% over 30 days): the budget runs out before the month ends; ${slo.why}.`,
      },
    ]),
  },
];
