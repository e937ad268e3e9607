import { performance } from 'node:perf_hooks';

const ARRIVED_AT = Symbol('parley.frameArrivedAt');

type Stamped = { [ARRIVED_AT]?: number };

/**
 * socket.use middleware, installed before every other: stamps the ack callback of each event
 * with the moment its frame was decoded. socket.io runs middlewares synchronously while it decodes
 * the frame (engine.io `data` → decoder → `run`), but calls the listener on a later tick, after
 * every other frame read in the same chunk and whatever else is queued; latency measured from
 * here therefore includes that queueing, which users feel and handler-start timers miss. The ack
 * callback is made per event by socket.io, so the stamp belongs to this event only.
 */
export function stampFrameArrival(event: unknown[], next: (error?: Error) => void): void {
  const ack = event.at(-1);
  if (typeof ack === 'function') (ack as Stamped)[ARRIVED_AT] = performance.now();
  next();
}

/** When the frame of the event answered by `ack` arrived (performance.now() ms), if stamped. */
export function frameArrivedAt(ack: unknown): number | undefined {
  return typeof ack === 'function' ? (ack as Stamped)[ARRIVED_AT] : undefined;
}
