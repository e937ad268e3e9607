import { errorCodeSchema, sessionEndReasonSchema } from '@parley/contracts';
import { Counter, Gauge, Histogram, type Registry } from '@parley/metrics';

export interface ChatMetrics {
  socketConnected: Gauge;
  socketConnects: Counter;
  socketDisconnects: Counter<'reason'>;
  messagesAccepted: Counter;
  fanoutDeliveries: Counter;
  messageAckSeconds: Histogram;
  fanoutLatencySeconds: Histogram;
  adapterErrors: Counter;
  sendRateLimited: Counter;
  sendBatches: Counter<'job'>;
  sendBatchMessages: Histogram;
  sendAcceptSeconds: Histogram;
  roomsLocal: Gauge;
  socketEvents: Counter<'event' | 'outcome'>;
  socketSessionsEnded: Counter<'reason'>;
  messageDurabilityGuaranteed: Gauge<'mode'>;
  messagesUnconfirmed: Counter;
  adapterResyncs: Counter;
  redisPartitionSheds: Counter;
  handshakeRejections: Counter<'reason'>;
  floodRefusals: Counter<'event'>;
  floodDisconnects: Counter;
  socketEventSeconds: Histogram<'event'>;
}

/** Acknowledged socket events, counted by outcome (`ok` or the error code of the ack). */
export const ACKED_SOCKET_EVENTS = ['message:send', 'room:sync', 'room:read', 'auth:refresh', 'message:edit', 'message:delete', 'reaction:add', 'reaction:remove'] as const;

/** Every event a client may send; anything else is counted as `other` (labels stay bounded). */
export const CLIENT_EVENTS = [...ACKED_SOCKET_EVENTS, 'typing'] as const;

/** socket.io's disconnect reasons on the server (socket.io 4). */
export const DISCONNECT_REASONS = [
  'transport close',
  'transport error',
  'ping timeout',
  'parse error',
  'client namespace disconnect',
  'server namespace disconnect',
  'server shutting down',
  'forced close',
  'forced server close',
] as const;

/**
 * Why a handshake was refused: `origin` (not on the allow-list), `invalid` (a malformed
 * engine.io request or `auth` payload), `unauthorized` (no valid token of a live session),
 * `unavailable` (draining, or a dependency failed).
 */
export const HANDSHAKE_REJECTION_REASONS = ['origin', 'invalid', 'unauthorized', 'unavailable'] as const;
export type HandshakeRejectionReason = (typeof HANDSHAKE_REJECTION_REASONS)[number];

/** A client-chosen event name as a bounded label value. */
export function eventLabel(event: unknown): string {
  return (CLIENT_EVENTS as readonly unknown[]).includes(event) ? (event as string) : 'other';
}

export interface ChatMetricSources {
  /** Sockets connected to this pod. */
  connectedSockets(): number;
  /** socket.io rooms of chat rooms with at least one local socket. */
  localRooms(): number;
}

/** The realtime metrics of one chat-socket instance, on the service's registry. */
export function createChatMetrics(registry: Registry, sources: ChatMetricSources): ChatMetrics {
  const registers = [registry];
  const metrics: ChatMetrics = {
    socketConnected: new Gauge({
      name: 'parley_socket_connected',
      help: 'Sockets connected to this pod.',
      registers,
      collect() {
        this.set(sources.connectedSockets());
      },
    }),
    socketConnects: new Counter({ name: 'parley_socket_connects_total', help: 'Sockets accepted by this pod.', registers }),
    socketDisconnects: new Counter({
      name: 'parley_socket_disconnects_total',
      help: 'Sockets disconnected from this pod, by socket.io disconnect reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    messagesAccepted: new Counter({
      name: 'parley_messages_accepted_total',
      help: 'Messages accepted (durably enqueued) by this pod.',
      registers,
    }),
    fanoutDeliveries: new Counter({
      name: 'parley_fanout_deliveries_total',
      help: 'Local sockets a `message:new` broadcast was written to, summed over broadcasts.',
      registers,
    }),
    messageAckSeconds: new Histogram({
      name: 'parley_message_ack_seconds',
      help: 'Time from a send’s frame arriving (socket sends: when socket.io decoded it, so event-loop queueing counts) to its acknowledgement (after the durable enqueue).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    fanoutLatencySeconds: new Histogram({
      name: 'parley_fanout_latency_seconds',
      help: 'Time from a message’s acceptance to its broadcast being written to sockets on this pod.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    adapterErrors: new Counter({
      name: 'parley_adapter_errors_total',
      help: 'Errors of the socket.io Redis adapter connections.',
      registers,
    }),
    sendRateLimited: new Counter({
      name: 'parley_send_rate_limited_total',
      help: 'Sends refused by the per-user send rate limit.',
      registers,
    }),
    sendBatches: new Counter({
      name: 'parley_send_batches_total',
      help: 'Send batches that accepted messages, by their persistence job: added (a job of their own) or joined (the job still waiting in the queue).',
      labelNames: ['job'],
      registers,
    }),
    sendBatchMessages: new Histogram({
      name: 'parley_send_batch_messages',
      help: 'Sends per send batch, before the membership and rate checks: batches at SEND_BATCH_MAX_SIZE mean the pod fell behind its batch window.',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    }),
    sendAcceptSeconds: new Histogram({
      name: 'parley_send_accept_seconds',
      help: 'Round trip of a send batch’s accept script, failed runs included: Redis running it, queued behind other clients or waiting for a CPU, and this pod’s event loop until it reads the reply.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    roomsLocal: new Gauge({
      name: 'parley_rooms_local',
      help: 'Chat rooms with at least one member socket on this pod.',
      registers,
      collect() {
        this.set(sources.localRooms());
      },
    }),
    socketEvents: new Counter({
      name: 'parley_socket_events_total',
      help: 'Acknowledged socket events handled by this pod, by event and outcome (`ok`, or the error code sent in the ack).',
      labelNames: ['event', 'outcome'] as const,
      registers,
    }),
    socketSessionsEnded: new Counter({
      name: 'parley_socket_sessions_ended_total',
      help: 'Sockets closed by this pod because their session ended, by reason (`logout`, `logout-all`, `password-reset`, `role-change`, `expired`).',
      labelNames: ['reason'] as const,
      registers,
    }),
    messageDurabilityGuaranteed: new Gauge({
      name: 'parley_message_durability_guaranteed',
      help: 'Whether the Redis this pod accepts messages into is verified to keep MESSAGE_DURABILITY (mode label): 1 yes, 0 no or cannot be verified.',
      labelNames: ['mode'] as const,
      registers,
    }),
    messagesUnconfirmed: new Counter({
      name: 'parley_messages_unconfirmed_total',
      help: 'Accepted messages answered `unavailable` because the replicas MESSAGE_DURABILITY=replicas waits for did not confirm them in time.',
      registers,
    }),
    adapterResyncs: new Counter({
      name: 'parley_adapter_resyncs_total',
      help: 'Times this pod told its sockets to resync after its adapter connection to Redis came back.',
      registers,
    }),
    redisPartitionSheds: new Counter({
      name: 'parley_redis_partition_sheds_total',
      help: 'Times this pod sent its sockets elsewhere because Redis did not answer for REDIS_PARTITION_SHED_AFTER_MS.',
      registers,
    }),
    handshakeRejections: new Counter({
      name: 'parley_socket_handshake_rejections_total',
      help: 'Handshakes this pod refused, by reason (`origin`, `invalid`, `unauthorized`, `unavailable`).',
      labelNames: ['reason'] as const,
      registers,
    }),
    floodRefusals: new Counter({
      name: 'parley_socket_flood_refusals_total',
      help: 'Socket events dropped by the per-socket flood guard (acked `rate_limited` when they carry an ack), by event (`other` for unknown names).',
      labelNames: ['event'] as const,
      registers,
    }),
    socketEventSeconds: new Histogram({
      name: 'parley_socket_event_seconds',
      help: 'Time from an acknowledged event’s frame arriving (decoded by socket.io) to its ack being written, by event; includes event-loop queueing.',
      labelNames: ['event'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    floodDisconnects: new Counter({
      name: 'parley_socket_flood_disconnects_total',
      help: 'Sockets this pod disconnected because they kept flooding past the flood guard.',
      registers,
    }),
  };
  // Every known label value exists from the first scrape: a counter that appears at its first
  // increment is invisible to rate() and increase(), so a fresh pod's first burst would be lost.
  for (const event of ACKED_SOCKET_EVENTS) {
    for (const outcome of ['ok', ...errorCodeSchema.options]) metrics.socketEvents.inc({ event, outcome }, 0);
  }
  for (const event of ACKED_SOCKET_EVENTS) metrics.socketEventSeconds.zero({ event });
  for (const reason of DISCONNECT_REASONS) metrics.socketDisconnects.inc({ reason }, 0);
  for (const reason of sessionEndReasonSchema.options) metrics.socketSessionsEnded.inc({ reason }, 0);
  for (const reason of HANDSHAKE_REJECTION_REASONS) metrics.handshakeRejections.inc({ reason }, 0);
  for (const event of [...CLIENT_EVENTS, 'other']) metrics.floodRefusals.inc({ event }, 0);
  for (const job of ['added', 'joined']) metrics.sendBatches.inc({ job }, 0);
  for (const counter of [metrics.socketConnects, metrics.messagesAccepted, metrics.fanoutDeliveries, metrics.adapterErrors, metrics.sendRateLimited, metrics.messagesUnconfirmed, metrics.adapterResyncs, metrics.redisPartitionSheds, metrics.floodDisconnects]) {
    counter.inc(0);
  }
  return metrics;
}
