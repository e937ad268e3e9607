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
