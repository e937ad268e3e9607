import type { Message } from '@parley/contracts';
import {
  activeContext,
  contextWithSpan,
  inSpan,
  linksTo,
  parleyTracer,
  recordFailure,
  spanContextOf,
  SpanKind,
  startSpan,
  traceCarrierOf,
  type Context,
  type Span,
  sampleBucket,
  SAMPLE_BUCKET_ATTRIBUTE,
  type TraceCarrier,
} from '@parley/tracing';

const tracer = parleyTracer('chat-socket');

/**
 * Traces of the send path. Each send keeps the context it was made in (its `socket
 * message:send` span, or the HTTP request's). A batch runs in a `messages accept` span of its
 * own, linked to every send in it: the membership query, accept scripts and queue add (pg and
 * ioredis spans) nest under it. Each accepted message gets a `messages enqueue` producer span
 * under its send; that span's context travels in the job (`messageTraces`), so the worker's
 * spans for the message continue the message's trace.
 */
export const sendTracing = {
  /** The context a send was made in. */
  capture(): Context {
    return activeContext();
  },

  inBatchSpan<T>(sends: Context[], work: () => Promise<T>): Promise<T> {
    return inSpan(
      tracer,
      'messages accept',
      { root: true, links: linksTo(sends.map((send) => spanContextOf(send))), attributes: { 'messaging.batch.message_count': sends.length } },
      () => work(),
    );
  },

  /** A message's producer span: a child of its send, linked to the batch that carries it. */
  startEnqueue(send: Context, message: Message, batchSize: number): Span {
    return startSpan(tracer, 'messages enqueue', {
      parent: send,
      kind: SpanKind.PRODUCER,
      links: linksTo([spanContextOf()]),
      attributes: {
        'messaging.system': 'bullmq',
        'messaging.operation.type': 'send',
        'messaging.destination.name': 'messages',
        'messaging.batch.message_count': batchSize,
        'parley.message.id': message.id,
        'parley.room.id': message.roomId,
        [SAMPLE_BUCKET_ATTRIBUTE]: sampleBucket(message.id),
      },
    });
  },

  /** The carrier for job data: the given span's context, or the active one. */
  carrier(span?: Span): TraceCarrier | undefined {
    return traceCarrierOf(span ? contextWithSpan(span) : activeContext());
  },

  /** Ends a message's span with how its send ended (`accepted`, `duplicate`, `rate_limited`, …). */
  end(span: Span, outcome: string, error?: unknown): void {
    span.setAttribute('parley.outcome', outcome);
    if (error !== undefined) recordFailure(span, error);
    span.end();
  },
};
