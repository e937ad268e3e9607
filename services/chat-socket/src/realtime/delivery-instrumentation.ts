import type { Logger } from '@parley/logger';
import type { DeliveryMetrics } from '../observability/delivery-metrics.js';
import type { ChatServer } from './socket-types.js';

/** Server-side event of the pub/sub probe (between pods only; never sent to clients). */
const PROBE_EVENT = 'parley:pubsub-probe';
const PROBE_INTERVAL_MS = 5_000;

interface EnginePacket {
  data?: unknown;
}

/** The shared listener of every engine.io socket's `packetCreate` (no closure per socket). */
function countPacket(this: { bytes: number }, packet: EnginePacket): void {
  const { data } = packet;
  if (typeof data === 'string') this.bytes += Buffer.byteLength(data);
  else if (data instanceof Uint8Array) this.bytes += data.byteLength;
  else if (data instanceof ArrayBuffer) this.bytes += data.byteLength;
}

/**
 * Counts the bytes of every packet written to this pod's sockets (engine.io emits `packetCreate`
 * for each, broadcasts and acks alike). Summed in a plain number and added to the counter at
 * scrape time: no metric call per packet. Call after `io.attach()`.
 */
export function countBytesWritten(io: ChatServer, metrics: DeliveryMetrics): void {
  const tally = { bytes: 0 };
  const listener = countPacket.bind(tally);
  io.engine.on('connection', (socket: { on(event: 'packetCreate', listener: (packet: EnginePacket) => void): void }) => socket.on('packetCreate', listener));
  const counter = metrics.bytesWritten as unknown as { collect?: () => void };
  counter.collect = () => {
    metrics.bytesWritten.inc(tally.bytes);
    tally.bytes = 0;
  };
}

/**
 * Every few seconds each pod publishes its wall-clock time to the other pods through the
 * socket.io adapter (serverSideEmit: the adapter's Redis pub/sub, as cross-pod broadcasts go);
 * receivers observe the difference. Returns the stop function.
 */
export function startPubsubProbe(io: ChatServer, metrics: DeliveryMetrics, logger: Logger): () => void {
  const server = io as unknown as { on(event: string, listener: (sentAt: unknown) => void): void; serverSideEmit(event: string, sentAt: number): void };
  server.on(PROBE_EVENT, (sentAt) => {
    if (typeof sentAt === 'number' && Number.isFinite(sentAt)) metrics.pubsubLagSeconds.observe(Math.max(0, Date.now() - sentAt) / 1000);
  });
  const timer = setInterval(() => {
    try {
      server.serverSideEmit(PROBE_EVENT, Date.now());
    } catch (error) {
      logger.debug({ err: error }, 'pub/sub probe not sent');
    }
  }, PROBE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
