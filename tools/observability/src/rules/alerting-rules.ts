import { foldMessageShards, MESSAGE_QUEUES } from './message-shards.js';
import type { AlertingRule } from './rule-types.js';
import { SLO_ALERT_GROUPS } from './slo-rules.js';

export type { AlertingRule };

/** The components Prometheus scrapes (ServiceMonitor `jobLabel`: app.kubernetes.io/component). */
export const SCRAPED_JOBS = 'auth|user|chat-socket|persistence-worker|web|operator';

export const ALERT_GROUPS: Array<{ name: string; rules: AlertingRule[] }> = [
  ...SLO_ALERT_GROUPS,
  {
    name: 'parley.availability',
    rules: [
      {
        alert: 'ParleyServiceDown',
        expr: `up{job=~"${SCRAPED_JOBS}"} == 0`,
        for: '5m',
        severity: 'critical',
        summary: '{{ $labels.job }} pod {{ $labels.pod }} is down',
        description: 'Prometheus has not been able to scrape {{ $labels.job }} pod {{ $labels.pod }} in {{ $labels.namespace }} for 5 minutes: the process is down, crash-looping or unreachable.',
      },
      {
        alert: 'ParleyHighErrorRate',
        expr: [
          'namespace_service:parley_http_requests_5xx:rate5m / namespace_service:parley_http_requests:rate5m > 0.05',
          'and namespace_service:parley_http_requests:rate5m > 0.1',
        ].join('\n'),
        for: '5m',
        severity: 'critical',
        summary: '{{ $labels.service }} answers {{ $value | humanizePercentage }} of requests with 5xx',
        description: 'More than 5% of HTTP requests to {{ $labels.service }} in {{ $labels.namespace }} failed with a 5xx status for 5 minutes.',
      },
    ],
  },
  {
    name: 'parley.realtime',
    rules: [
      {
        alert: 'ParleySocketDisconnectStorm',
        expr: [
          'namespace:parley_socket_unplanned_disconnects:rate5m * 300 > 0.1 * namespace:parley_socket_connected:sum',
          // At least 20 sockets: a burst of a few hundred (one pod's share) is an outage too.
          'and namespace:parley_socket_unplanned_disconnects:rate5m * 300 > 20',
        ].join('\n'),
        for: '2m',
        severity: 'critical',
        summary: 'Sockets are dropping: {{ $value | humanize }} unplanned disconnects in 5 minutes',
        description: 'More than a tenth of the connected sockets in {{ $labels.namespace }} were lost in 5 minutes (transport close or error, ping timeout), not counting deploys and shedding.',
      },
      {
        alert: 'ParleySocketAdapterErrors',
        expr: 'sum by (namespace, pod) (rate(parley_adapter_errors_total[5m])) > 0',
        for: '5m',
        severity: 'warning',
        summary: 'chat-socket pod {{ $labels.pod }} has Redis adapter errors',
        description: 'The socket.io Redis adapter of {{ $labels.pod }} in {{ $labels.namespace }} has been failing for 5 minutes: broadcasts between pods may be lost, so members on other pods miss live messages (they catch up with room:sync).',
      },
      {
        alert: 'ParleyMessageDurabilityNotGuaranteed',
        expr: 'min by (namespace, pod, mode) (parley_message_durability_guaranteed{mode!="none"}) == 0',
        for: '10m',
        severity: 'warning',
        summary: 'chat-socket pod {{ $labels.pod }} acknowledges messages its Redis may lose (MESSAGE_DURABILITY={{ $labels.mode }})',
        description:
          "For 10 minutes the Redis that {{ $labels.pod }} in {{ $labels.namespace }} accepts messages into has not been verified to keep MESSAGE_DURABILITY={{ $labels.mode }} (appendfsync not always, AOF off, too few replicas, or CONFIG unreadable): a Redis crash can lose acknowledged messages. The pod's /readyz says why.",
      },
    ],
  },
  {
    name: 'parley.queues',
    rules: [
      {
        alert: 'ParleyQueueBacklogGrowing',
        expr: [
          // Raw on the left, so $value is the current depth rather than the last recorded one.
          // The shards of `messages` summed: the threshold is about the whole queue.
          `${foldMessageShards('sum', 'max by (namespace, queue) (parley_queue_jobs{state="waiting"})')} > 100`,
          'and deriv(namespace_queue:parley_queue_jobs_waiting:max[10m]) > 0',
        ].join('\n'),
        for: '10m',
        severity: 'warning',
        summary: 'Queue {{ $labels.queue }} keeps growing ({{ $value | humanize }} jobs waiting)',
        description: 'More than 100 jobs wait in the {{ $labels.queue }} queue of {{ $labels.namespace }} and the backlog has been growing for 10 minutes: the workers do not keep up.',
      },
      {
        alert: 'ParleyMessageJobsFailed',
        expr: `sum by (namespace) (increase(parley_jobs_failed_total{queue=~"${MESSAGE_QUEUES}"}[15m])) > 0`,
        severity: 'critical',
        summary: 'Message batches failed for good: acknowledged messages are not in PostgreSQL',
        description: '{{ $value | humanize }} `messages` jobs in {{ $labels.namespace }} used up their attempts in the last 15 minutes. Their messages were acknowledged but are not stored; they stay in the failed set for 14 days.',
      },
      {
        alert: 'ParleyMessagesDeadLettered',
        expr: 'sum by (namespace, reason) (increase(parley_messages_dead_lettered_total[15m])) > 0',
        severity: 'warning',
        summary: 'Acknowledged messages were set aside instead of stored ({{ $labels.reason }})',
        description: '{{ $value | humanize }} acknowledged messages in {{ $labels.namespace }} could not be stored in the last 15 minutes ({{ $labels.reason }}) and were set aside in chat.message_dead_letters; the rest of their batches was stored. The API refuses such input, so this points at a producer bug or a schema change.',
      },
      {
        alert: 'ParleyJobsFailed',
        expr: `sum by (namespace, queue) (increase(parley_jobs_failed_total{queue!~"${MESSAGE_QUEUES}"}[15m])) > 0`,
        severity: 'warning',
        summary: '{{ $labels.queue }} jobs failed for good',
        description: '{{ $value | humanize }} {{ $labels.queue }} jobs in {{ $labels.namespace }} used up their attempts in the last 15 minutes (notifications not recorded, or mail not sent).',
      },
      {
        alert: 'ParleyJobsStalling',
        expr: `${foldMessageShards('sum', 'increase(parley_jobs_stalled_total[30m])')} > 5`,
        severity: 'warning',
        summary: '{{ $labels.queue }} jobs keep stalling: workers die or block mid-job',
        description: '{{ $value | humanize }} {{ $labels.queue }} jobs in {{ $labels.namespace }} lost their worker mid-job in the last 30 minutes and went back to the queue. Nothing is lost (jobs are idempotent and run again), but a worker that keeps crashing or blocking its event loop past the lock delays every message behind it, and a job stalled 3 times fails for good.',
      },
      {
        alert: 'ParleyMessagesNotPersisted',
        // Raw on the left: $value is the current age, not the last recorded one.
        expr: 'max by (namespace) (parley_persistence_lag_oldest_seconds) > 20',
        for: '1m',
        severity: 'critical',
        summary: 'Acknowledged messages are not reaching PostgreSQL: the oldest has waited {{ $value | humanizeDuration }}',
        description:
          'The oldest message that senders were told is accepted has not been stored in PostgreSQL for over 20 s, for a minute, in {{ $labels.namespace }}: the persistence worker is stopped or stuck, PostgreSQL is down, or its jobs keep failing. Read from the ledger the accept script writes (by every chat-socket pod), so it holds while the worker is gone. Messages are safe in Redis meanwhile, but history older than the Redis recent window misses them.',
      },
      {
        alert: 'ParleyPersistenceLagHigh',
        expr: 'max by (namespace) (parley_persistence_lag_oldest_seconds) > 5',
        for: '15m',
        severity: 'warning',
        summary: 'Messages reach PostgreSQL slowly: the oldest unstored one has waited {{ $value | humanizeDuration }}',
        description: 'For 15 minutes the oldest acknowledged message not yet in PostgreSQL has been older than 5 s in {{ $labels.namespace }} (5 times the 1 s persistence-lag objective of docs/slos.md): the workers keep up too slowly (scale them, or look at PostgreSQL latency).',
      },
    ],
  },
  {
    name: 'parley.auth',
    rules: [
      {
        alert: 'ParleyLoginBruteForce',
        expr: [
          'sum by (namespace) (namespace_outcome:parley_auth_logins:rate5m{outcome=~"failure|rate_limited"}) > 1',
          'and',
          'sum by (namespace) (namespace_outcome:parley_auth_logins:rate5m{outcome=~"failure|rate_limited"})',
          '  > 3 * sum by (namespace) (namespace_outcome:parley_auth_logins:rate5m{outcome="success"})',
        ].join('\n'),
        for: '5m',
        severity: 'warning',
        summary: 'Login failures spike: {{ $value | humanize }} failed logins per second',
        description: 'More than one failed or rate-limited login per second, and three times as many as successful ones, for 5 minutes in {{ $labels.namespace }}: password guessing or credential stuffing.',
      },
    ],
  },
];
