import { performance } from 'node:perf_hooks';
import type { ZodType, z } from 'zod';
import { httpStatusOf, toAckError, toAppError, validationErrorFrom } from '@parley/errors';
import type { AckError } from '@parley/contracts';
import { unavailableIfDatabaseOutage } from '@parley/http';
import type { Logger } from '@parley/logger';
import { inSpan, parleyTracer, recordFailure, SpanKind, type Span } from '@parley/tracing';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import type { ChatSocket } from './socket-types.js';

type AckCallback<T> = (result: T) => void;

/** What the handler of an event learns besides its payload. */
export interface ReceivedEvent {
  /** performance.now() when the event's frame was decoded (see stampFrameArrival). */
  arrivedAt: number;
}

const tracer = parleyTracer('chat-socket');

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
function frameArrivedAt(ack: unknown): number | undefined {
  return typeof ack === 'function' ? (ack as Stamped)[ARRIVED_AT] : undefined;
}

/** What every acknowledged socket event is observed with. */
export interface AckedEvent {
  /** The event name (`message:send`, …): span name and metric label. */
  event: string;
  logger: Logger;
  metrics: ChatMetrics;
}

/** Called by each socket's listener with the socket itself (the handler is built once per server). */
export type AckedSocketEvent = (socket: ChatSocket, payload: unknown, ack?: unknown) => void;

/**
 * Builds, once per server, the handler of an acknowledged socket event: sockets only hold a
 * small listener that passes themselves in, so an idle socket carries no per-event state.
 * Runs a socket event handler with the one error mapping of the platform: a thrown AppError
 * becomes `{ok:false, error}`, a database outage `unavailable`, anything else `internal` (logged). A client that sent no ack
 * callback (or something else in its place) is answered with silence, never a crash.
 *
 * Each event is one span (`socket <event>`, a new trace: socket.io has no trace context of its
 * own) that the handler's work nests under, so a `message:send` is the root of its message's
 * trace. Its outcome (`ok` or the error code) is counted in `parley_socket_events_total`.
 */
export function ackedSocketEvent<Schema extends ZodType, Result extends object>(
  observed: AckedEvent,
  schema: Schema,
  handler: (socket: ChatSocket, payload: z.infer<Schema>, received: ReceivedEvent) => Promise<Result>,
): AckedSocketEvent {
  return (socket, given, givenAck) => {
    // An event sent with an ack but no payload arrives as (ack): answer it `invalid`, not silence.
    const [payload, ack] = givenAck === undefined && typeof given === 'function' ? [undefined, given] : [given, givenAck];
    const arrivedAt = frameArrivedAt(ack) ?? performance.now();
    const answer: AckCallback<({ ok: true } & Result) | AckError> = typeof ack === 'function' ? (ack as AckCallback<({ ok: true } & Result) | AckError>) : () => undefined;
    const reply: typeof answer = (result) => {
      observed.metrics.socketEventSeconds.observe({ event: observed.event }, (performance.now() - arrivedAt) / 1000);
      answer(result);
    };
    void inSpan(
      tracer,
      `socket ${observed.event}`,
      { root: true, kind: SpanKind.SERVER, attributes: { 'messaging.system': 'socket.io', 'messaging.operation.name': observed.event, 'parley.user.id': socket.data.userId } },
      async (span) => {
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          finish(observed, span, 'invalid');
          reply(toAckError(validationErrorFrom(parsed.error, 'The event payload is invalid')));
          return;
        }
        try {
          const result = await handler(socket, parsed.data, { arrivedAt });
          finish(observed, span, 'ok');
          reply({ ok: true, ...result });
        } catch (thrown: unknown) {
          // The same mapping as HTTP: a database outage is `unavailable`, so clients retry.
          const error = unavailableIfDatabaseOutage(thrown);
          const appError = toAppError(error);
          if (appError.code === 'internal') observed.logger.error({ err: error }, 'socket event handler failed');
          finish(observed, span, appError.code, error);
          reply(toAckError(error));
        }
      },
    );
  };
}

function finish(observed: AckedEvent, span: Span, outcome: string, error?: unknown): void {
  observed.metrics.socketEvents.inc({ event: observed.event, outcome });
  span.setAttribute('parley.outcome', outcome);
  // Like HTTP server spans: only what would be a 5xx marks the span failed.
  if (error !== undefined && httpStatusOf(toAppError(error).code) >= 500) recordFailure(span, error);
}
