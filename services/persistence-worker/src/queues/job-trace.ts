import { contextFromCarrier, inSpan, parleyTracer, SpanKind, type Link, type TraceCarrier } from '@parley/tracing';

export const workerTracer = parleyTracer('persistence-worker');

/**
 * Runs a job's work in a consumer span that continues the producer's trace (W3C context carried
 * in the job data), optionally linked to other traces (a batch links to each of its messages).
 * pg and ioredis spans of the work nest under it. A no-op without tracing.
 */
export function inJobSpan<T>(name: string, carrier: TraceCarrier | undefined, work: () => Promise<T>, links: Link[] = []): Promise<T> {
  return inSpan(
    workerTracer,
    name,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFromCarrier(carrier),
      links,
      attributes: { 'messaging.system': 'bullmq', 'messaging.operation.type': 'process', 'messaging.destination.name': name.split(' ')[0] ?? name },
    },
    work,
  );
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * The trace of a job, from the W3C context in its data (`trace.traceparent`), as the log fields
 * lines written inside a span get (`trace_id`, `span_id`): lines logged outside the job's span
 * (BullMQ's failed events) still lead to its trace. Empty when the job carries none.
 */
export function jobTraceFields(data: unknown): { trace_id?: string; span_id?: string } {
  const traceparent = (data as { trace?: { traceparent?: unknown } } | null | undefined)?.trace?.traceparent;
  const match = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent) : null;
  return match ? { trace_id: match[1]!, span_id: match[2]! } : {};
}
