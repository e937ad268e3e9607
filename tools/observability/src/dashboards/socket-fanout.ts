import { NS, quantileTargets, RATE, type DashboardSpec } from './dashboard-kit.js';

const CHAT = `${NS}, service="chat-socket"`;

/** The realtime tier: connections, messages in, deliveries out, and how long both take. */
export const socketFanout: DashboardSpec = {
  uid: 'parley-socket-fanout',
  title: 'Parley socket fan-out',
  description: 'chat-socket pods: connections, messages accepted, deliveries written to sockets, fan-out ratio, ack and fan-out latency, disconnects.',
  rows: [
    {
      title: 'Connections',
      panels: [
        {
          title: 'Connected sockets per pod',
          description: 'socket.io connections held by each chat-socket pod (`parley_socket_connected`). An uneven spread after scaling is what the operator’s rebalancing sheds.',
          targets: [{ expr: `sum by (pod) (parley_socket_connected{${CHAT}})`, legend: '{{pod}}' }],
          stacked: true,
        },
        {
          title: 'Connects and disconnects per second',
          description: 'Handshakes accepted and sockets lost, across pods.',
          unit: 'ops',
          targets: [
            { expr: `sum(rate(parley_socket_connects_total{${CHAT}}[${RATE}]))`, legend: 'connects' },
            { expr: `sum(rate(parley_socket_disconnects_total{${CHAT}}[${RATE}]))`, legend: 'disconnects' },
          ],
        },
        {
          title: 'Disconnects by reason',
          description:
            'socket.io disconnect reasons. `transport close`, `transport error` and `ping timeout` are unplanned (networks, clients, overloaded pods: ParleySocketDisconnectStorm); `server namespace disconnect` and `server shutting down` are ours (deploys, shedding); `client namespace disconnect` is a client leaving.',
          unit: 'ops',
          stacked: true,
          targets: [{ expr: `sum by (reason) (rate(parley_socket_disconnects_total{${CHAT}}[${RATE}]))`, legend: '{{reason}}' }],
        },
        {
          title: 'Rooms with local members per pod',
          description: 'Chat rooms with at least one member socket on each pod (`parley_rooms_local`): the adapter’s subscriptions on that pod.',
          targets: [{ expr: `sum by (pod) (parley_rooms_local{${CHAT}})`, legend: '{{pod}}' }],
        },
      ],
    },
    {
      title: 'Messages and fan-out',
      panels: [
        {
          title: 'Messages in per second',
          description: 'Messages accepted (durably enqueued and acknowledged), per pod that accepted them.',
          unit: 'ops',
          width: 8,
          targets: [{ expr: `sum by (pod) (rate(parley_messages_accepted_total{${CHAT}}[${RATE}]))`, legend: '{{pod}}' }],
          stacked: true,
        },
        {
          title: 'Deliveries out per second',
          description: 'Local sockets `message:new` was written to, per pod (each pod counts its own recipients, including broadcasts that came from other pods through Redis).',
          unit: 'ops',
          width: 8,
          targets: [{ expr: `sum by (pod) (rate(parley_fanout_deliveries_total{${CHAT}}[${RATE}]))`, legend: '{{pod}}' }],
          stacked: true,
        },
        {
          title: 'Fan-out ratio',
          description: 'Deliveries per accepted message across the platform: the average number of recipient sockets of a message.',
          width: 8,
          targets: [{ expr: `namespace:parley_fanout_deliveries:rate5m{${NS}} / namespace:parley_messages_accepted:rate5m{${NS}}`, legend: 'sockets per message' }],
        },
        {
          title: 'Sends refused by the rate limit',
          description: 'Sends answered `rate_limited` by the per-user token bucket (`parley_send_rate_limited_total`).',
          unit: 'ops',
          targets: [{ expr: `sum(rate(parley_send_rate_limited_total{${CHAT}}[${RATE}]))`, legend: 'rate limited' }],
        },
        {
          title: 'Socket event outcomes',
          description: 'Acknowledged socket events by event and outcome (`ok` or the ack’s error code).',
          unit: 'ops',
          stacked: true,
          targets: [{ expr: `sum by (event, outcome) (rate(parley_socket_events_total{${CHAT}}[${RATE}]))`, legend: '{{event}} {{outcome}}' }],
        },
      ],
    },
    {
      title: 'Latency',
      panels: [
        {
          title: 'Ack latency p50 / p95 / p99',
          description: 'From a send’s frame arriving (decoded by socket.io, so event-loop queueing counts) to its acknowledgement, after the batch was durably enqueued (`parley_message_ack_seconds`). Objective: 99% within 100 ms (docs/slos.md, ParleyAckLatencyBudgetBurn).',
          unit: 's',
          targets: quantileTargets('parley_message_ack_seconds', [], 'service="chat-socket"'),
        },
        {
          title: 'Accept script round trip p99 per pod',
          description: 'Where the ack time goes: one send batch’s accept script, from the call to its reply being read (`parley_send_accept_seconds`): Redis running it, queued behind other clients or waiting for a CPU, and the pod’s event loop until it reads the reply. High here and in Redis’s own latency: Redis; high here only: the pod.',
          unit: 's',
          targets: [{ expr: `histogram_quantile(0.99, sum by (le, pod) (rate(parley_send_accept_seconds_bucket{${CHAT}}[${RATE}])))`, legend: '{{pod}}' }],
        },
        {
          title: 'Sends per batch p50 / p99 per pod',
          description: 'Sends a pod’s send batches carry (`parley_send_batch_messages`): under load about one batch window’s worth; batches at SEND_BATCH_MAX_SIZE mean the pod fell behind its window (a slow accept script or a busy event loop), and the next broadcast is a burst.',
          unit: 'short',
          targets: [
            { expr: `histogram_quantile(0.5, sum by (le, pod) (rate(parley_send_batch_messages_bucket{${CHAT}}[${RATE}])))`, legend: 'p50 {{pod}}' },
            { expr: `histogram_quantile(0.99, sum by (le, pod) (rate(parley_send_batch_messages_bucket{${CHAT}}[${RATE}])))`, legend: 'p99 {{pod}}' },
          ],
        },
        {
          title: 'Fan-out latency p50 / p95 / p99',
          description: 'From a message’s acceptance (its server timestamp) to its broadcast being written on each pod; includes the cross-pod hop through Redis (`parley_fanout_latency_seconds`). Objective: 99% within 100 ms (docs/slos.md, ParleyDeliveryLatencyBudgetBurn).',
          unit: 's',
          targets: quantileTargets('parley_fanout_latency_seconds', [], 'service="chat-socket"'),
        },
        {
          title: 'Fan-out latency p99 per pod',
          description: 'The same p99 per receiving pod: one slow pod (CPU, event-loop lag, a lagging Redis subscription) stands out here.',
          unit: 's',
          targets: [
            {
              expr: `histogram_quantile(0.99, sum by (le, pod) (rate(parley_fanout_latency_seconds_bucket{${CHAT}}[${RATE}])))`,
              legend: '{{pod}}',
            },
          ],
        },
        {
          title: 'Redis adapter errors per pod',
          description: 'Errors of the socket.io Redis adapter connections (publish, subscribe, connection errors).',
          unit: 'ops',
          targets: [{ expr: `sum by (pod) (rate(parley_adapter_errors_total{${CHAT}}[${RATE}]))`, legend: '{{pod}}' }],
        },
      ],
    },
    {
      title: 'Delivery path',
      panels: [
        {
          title: 'Broadcast duration p99 per pod',
          description: 'Time a pod took to write one `message:new` broadcast to all its local recipients (`parley_broadcast_duration_seconds`): grows with recipients per pod and with a busy event loop.',
          unit: 's',
          width: 8,
          targets: [{ expr: `histogram_quantile(0.99, sum by (le, pod) (rate(parley_broadcast_duration_seconds_bucket{${CHAT}}[${RATE}])))`, legend: '{{pod}}' }],
        },
        {
          title: 'Pub/sub hop between pods p99',
          description: 'From one pod publishing a probe through the socket.io Redis adapter to another receiving it (`parley_adapter_pubsub_lag_seconds`; each pod probes every 5 s): the hop every cross-pod broadcast takes.',
          unit: 's',
          width: 8,
          targets: [{ expr: `histogram_quantile(0.99, sum by (le, pod) (rate(parley_adapter_pubsub_lag_seconds_bucket{${CHAT}}[${RATE}])))`, legend: '{{pod}}' }],
        },
        {
          title: 'Bytes written to sockets per pod',
          description: 'engine.io packet payloads written per second (`parley_socket_bytes_written_total`, before WebSocket framing and compression).',
          unit: 'bytes',
          width: 8,
          targets: [{ expr: `sum by (pod) (rate(parley_socket_bytes_written_total{${CHAT}}[${RATE}]))`, legend: '{{pod}}' }],
        },
        {
          title: 'Reconnect recovery',
          description: 'What reconnecting clients caught up with `room:sync`: messages recovered, rooms whose answer hit the cap (the client pages the rest), and failed syncs (outcomes other than ok).',
          unit: 'ops',
          targets: [
            { expr: `sum(rate(parley_sync_messages_recovered_total{${CHAT}}[${RATE}]))`, legend: 'messages recovered' },
            { expr: `sum(rate(parley_sync_rooms_truncated_total{${CHAT}}[${RATE}]))`, legend: 'rooms truncated' },
            { expr: `sum(rate(parley_socket_events_total{${CHAT}, event="room:sync", outcome!="ok"}[${RATE}]))`, legend: 'syncs failed' },
          ],
        },
        {
          title: 'Handshakes refused and events dropped',
          description: 'Handshakes refused by reason (`parley_socket_handshake_rejections_total`, each logged as `socket handshake rejected`) and events dropped by the flood guard (`parley_socket_flood_refusals_total`).',
          unit: 'ops',
          targets: [
            { expr: `sum by (reason) (rate(parley_socket_handshake_rejections_total{${CHAT}}[${RATE}]))`, legend: 'handshake {{reason}}' },
            { expr: `sum by (event) (rate(parley_socket_flood_refusals_total{${CHAT}}[${RATE}]))`, legend: 'flood {{event}}' },
          ],
        },
      ],
    },
  ],
};
