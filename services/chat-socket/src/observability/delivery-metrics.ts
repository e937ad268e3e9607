import { Counter, Histogram, type Registry } from '@parley/metrics';

/**
 * How broadcasts reach sockets, next to the fan-out latency of chat-metrics.ts: what a
 * Centrifugo operator reads (broadcast cost, the hop between pods, bytes out, reconnect recovery).
 */
export interface DeliveryMetrics {
  broadcastSeconds: Histogram;
  pubsubLagSeconds: Histogram;
  bytesWritten: Counter;
  syncMessagesRecovered: Counter;
  syncRoomsTruncated: Counter;
}

export function createDeliveryMetrics(registry: Registry): DeliveryMetrics {
  const registers = [registry];
  const metrics: DeliveryMetrics = {
    broadcastSeconds: new Histogram({
      name: 'parley_broadcast_duration_seconds',
      help: 'Time this pod took to write one `message:new` broadcast to all its local recipients (encoded once, then written to each socket).',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    }),
    pubsubLagSeconds: new Histogram({
      name: 'parley_adapter_pubsub_lag_seconds',
      help: 'Time from another pod publishing a probe through the socket.io Redis adapter to this pod receiving it (the hop every cross-pod broadcast takes; wall clocks of both pods).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    bytesWritten: new Counter({
      name: 'parley_socket_bytes_written_total',
      help: 'Bytes of engine.io packets this pod wrote to its sockets (payloads before WebSocket framing and compression).',
      registers,
    }),
    syncMessagesRecovered: new Counter({
      name: 'parley_sync_messages_recovered_total',
      help: 'Messages returned by `room:sync` (what reconnecting clients missed); failed syncs are `parley_socket_events_total{event="room:sync"}` outcomes.',
      registers,
    }),
    syncRoomsTruncated: new Counter({
      name: 'parley_sync_rooms_truncated_total',
      help: 'Rooms whose `room:sync` answer hit the per-room cap (hasMore): the client pages the rest from history.',
      registers,
    }),
  };
  for (const counter of [metrics.bytesWritten, metrics.syncMessagesRecovered, metrics.syncRoomsTruncated]) counter.inc(0);
  return metrics;
}
