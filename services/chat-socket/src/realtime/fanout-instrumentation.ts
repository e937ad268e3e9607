import type { Message } from '@parley/contracts';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import type { DeliveryMetrics } from '../observability/delivery-metrics.js';
import type { ChatServer } from './socket-types.js';

interface InstrumentedAdapter {
  _encode(packet: { data?: unknown[] }, options: unknown): unknown;
  apply(options: unknown, callback: (socket: unknown) => void): void;
}

/**
 * Measures `message:new` fan-out on this pod, for broadcasts from here and from other pods
 * alike: the adapter encodes each broadcast once (`_encode`) and then writes it to each
 * local recipient (`apply`), synchronously. Two tiny wrappers observe the latency from the
 * message's acceptance, count the local recipients and time the writes (the broadcast's
 * duration); other packets pass untouched.
 */
export function instrumentFanout(io: ChatServer, metrics: ChatMetrics, delivery?: DeliveryMetrics): void {
  const adapter = io.of('/').adapter as unknown as InstrumentedAdapter;
  const encode = adapter._encode.bind(adapter);
  const apply = adapter.apply.bind(adapter);
  let current: Message | undefined;

  adapter._encode = (packet, options) => {
    const data = packet.data;
    current = Array.isArray(data) && data[0] === 'message:new' ? (data[1] as Message) : undefined;
    return encode(packet, options);
  };

  adapter.apply = (options, callback) => {
    const message = current;
    if (!message) {
      apply(options, callback);
      return;
    }
    current = undefined;
    let recipients = 0;
    const started = performance.now();
    apply(options, (socket) => {
      recipients += 1;
      callback(socket);
    });
    delivery?.broadcastSeconds.observe((performance.now() - started) / 1000);
    metrics.fanoutDeliveries.inc(recipients);
    const acceptedAt = Date.parse(message.createdAt);
    if (Number.isFinite(acceptedAt)) metrics.fanoutLatencySeconds.observe(Math.max(0, Date.now() - acceptedAt) / 1000);
  };
}
