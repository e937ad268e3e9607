import { NS, RATE, type DashboardSpec } from './dashboard-kit.js';

/** Golden signals per service: traffic, errors, latency, saturation. */
export const parleyOverview: DashboardSpec = {
  uid: 'parley-overview',
  title: 'Parley overview',
  description: 'Golden signals of every Parley service: traffic, errors, latency and saturation, per service and pod.',
  rows: [
    {
      title: 'Availability',
      panels: [
        {
          kind: 'stat',
          title: 'Pods up',
          description: 'Scrape targets of each service that answered the last scrape (`up`). A service with fewer pods up than it should have is degraded; 0 fires ParleyServiceDown.',
          targets: [{ expr: `sum by (job) (up{${NS}, job=~"auth|user|chat-socket|persistence-worker|web|operator"})`, legend: '{{job}}' }],
          width: 12,
        },
        {
          kind: 'stat',
          title: 'Connected sockets',
          description: 'WebSocket (socket.io) connections across all chat-socket pods.',
          targets: [{ expr: `sum(namespace:parley_socket_connected:sum{${NS}})`, legend: 'sockets' }],
          width: 6,
        },
        {
          kind: 'stat',
          title: 'Messages waiting to be persisted',
          description:
            'Acknowledged messages not yet stored in PostgreSQL (messages, not jobs: a job carries a batch of them), from the ledger every chat-socket pod reads, so it holds while the worker is stopped. Colours in seconds of the 2,000 msg/s target traffic: yellow past 2.5 s of it, red past 20 s (the oldest one waiting over 20 s for a minute fires ParleyMessagesNotPersisted).',
          targets: [{ expr: `max(namespace:parley_messages_unpersisted:max{${NS}})`, legend: 'messages' }],
          thresholds: [
            [5000, 'yellow'],
            [40000, 'red'],
          ],
          width: 6,
        },
      ],
    },
    {
      title: 'Traffic',
      panels: [
        {
          title: 'HTTP requests per second by service',
          description: 'Requests served by each service’s HTTP API (probes and scrapes excluded), from `parley_http_request_duration_seconds_count`.',
          unit: 'reqps',
          targets: [{ expr: `sum by (service) (rate(parley_http_request_duration_seconds_count{${NS}}[${RATE}]))`, legend: '{{service}}' }],
        },
        {
          title: 'Socket events and messages per second',
          description: 'Acknowledged socket events handled by chat-socket (by event), and messages accepted. REST sends are counted in the messages too.',
          unit: 'ops',
          targets: [
            { expr: `sum by (event) (rate(parley_socket_events_total{${NS}}[${RATE}]))`, legend: '{{event}}' },
            { expr: `sum(rate(parley_messages_accepted_total{${NS}}[${RATE}]))`, legend: 'messages accepted' },
          ],
        },
      ],
    },
    {
      title: 'Errors',
      panels: [
        {
          title: 'HTTP 5xx ratio by service',
          description: 'Share of HTTP responses with a 5xx status, per service. Above 5% for 5 minutes fires ParleyHighErrorRate.',
          unit: 'percentunit',
          min: 0,
          targets: [
            {
              expr: `namespace_service:parley_http_requests_5xx:rate5m{${NS}} / namespace_service:parley_http_requests:rate5m{${NS}}`,
              legend: '{{service}}',
            },
          ],
        },
        {
          title: 'Socket event failures by outcome',
          description: 'Acknowledged socket events that failed, by event and error code sent in the ack. `internal` and `unavailable` are server-side failures; `rate_limited`, `forbidden` and `invalid` are client behaviour.',
          unit: 'ops',
          stacked: true,
          targets: [{ expr: `sum by (event, outcome) (rate(parley_socket_events_total{${NS}, outcome!="ok"}[${RATE}]))`, legend: '{{event}} {{outcome}}' }],
        },
        {
          title: 'Jobs failed for good and retried',
          description: 'Jobs moved to the failed set (no attempts left) and failed attempts that will be retried, per queue. A failed `messages` job means acknowledged messages are not in PostgreSQL yet (ParleyMessageJobsFailed).',
          unit: 'ops',
          targets: [
            { expr: `sum by (queue) (rate(parley_jobs_failed_total{${NS}}[${RATE}]))`, legend: 'failed {{queue}}' },
            { expr: `sum by (queue) (rate(parley_job_retries_total{${NS}}[${RATE}]))`, legend: 'retried {{queue}}' },
          ],
        },
        {
          title: 'Redis adapter errors',
          description: 'Errors of chat-socket’s socket.io Redis adapter connections: cross-pod fan-out is at risk while they occur (ParleySocketAdapterErrors).',
          unit: 'ops',
          targets: [{ expr: `sum by (pod) (rate(parley_adapter_errors_total{${NS}}[${RATE}]))`, legend: '{{pod}}' }],
        },
      ],
    },
    {
      title: 'Latency',
      panels: [
        {
          title: 'HTTP p99 latency by service',
          description: '99th percentile of HTTP request duration per service over 5 minutes (recording rule over `parley_http_request_duration_seconds`).',
          unit: 's',
          targets: [{ expr: `namespace_service:parley_http_request_duration_seconds:p99_5m{${NS}}`, legend: '{{service}}' }],
        },
        {
          title: 'SLO: share of bad events over the last hour',
          description: 'Per objective of docs/slos.md, the share of events that missed it over 1 hour (recording rules `namespace:parley_slo_*:ratio_rate1h`). Budgets: sends 0.1%, acks, broadcasts and persistence 1%; 14.4× the budget fires the fast-burn page.',
          unit: 'percentunit',
          targets: [
            { expr: `namespace:parley_slo_send_errors:ratio_rate1h{${NS}}`, legend: 'send errors' },
            { expr: `namespace:parley_slo_ack_slow:ratio_rate1h{${NS}}`, legend: 'acks > 100 ms' },
            { expr: `namespace:parley_slo_delivery_slow:ratio_rate1h{${NS}}`, legend: 'broadcasts > 100 ms' },
            { expr: `namespace:parley_slo_persistence_slow:ratio_rate1h{${NS}}`, legend: 'stored > 1 s' },
          ],
        },
        {
          title: 'Message ack, fan-out and persistence p99',
          description: 'p99 of: send frame arrived → ack (after the durable enqueue), acceptance → broadcast written on each pod, and acceptance → row committed in PostgreSQL.',
          unit: 's',
          targets: [
            { expr: `namespace:parley_message_ack_seconds:p99_5m{${NS}}`, legend: 'ack' },
            { expr: `namespace:parley_fanout_latency_seconds:p99_5m{${NS}}`, legend: 'fan-out' },
            { expr: `namespace:parley_persistence_lag_seconds:p99_5m{${NS}}`, legend: 'persistence' },
          ],
        },
      ],
    },
    {
      title: 'Saturation',
      panels: [
        {
          title: 'CPU per pod',
          description: 'CPU seconds per second used by each process (1 = one core).',
          unit: 'short',
          width: 8,
          targets: [{ expr: `sum by (service, pod) (rate(parley_process_cpu_seconds_total{${NS}}[${RATE}]))`, legend: '{{service}} {{pod}}' }],
        },
        {
          title: 'Resident memory per pod',
          description: 'Resident set size of each process.',
          unit: 'bytes',
          width: 8,
          targets: [{ expr: `sum by (service, pod) (parley_process_resident_memory_bytes{${NS}})`, legend: '{{service}} {{pod}}' }],
        },
        {
          title: 'Event-loop lag p99 per pod',
          description: 'p99 event-loop delay measured by each Node process: above ~100 ms every request and socket event on that pod waits.',
          unit: 's',
          width: 8,
          targets: [{ expr: `max by (service, pod) (parley_nodejs_eventloop_lag_p99_seconds{${NS}})`, legend: '{{service}} {{pod}}' }],
        },
        {
          title: 'Heap used per pod',
          description: 'V8 heap in use by each process.',
          unit: 'bytes',
          targets: [{ expr: `sum by (service, pod) (parley_nodejs_heap_size_used_bytes{${NS}})`, legend: '{{service}} {{pod}}' }],
        },
        {
          title: 'Time in garbage collection per pod',
          description: 'Share of wall time each process spends in GC pauses (all GC kinds).',
          unit: 'percentunit',
          targets: [{ expr: `sum by (service, pod) (rate(parley_nodejs_gc_duration_seconds_sum{${NS}}[${RATE}]))`, legend: '{{service}} {{pod}}' }],
        },
      ],
    },
  ],
};
