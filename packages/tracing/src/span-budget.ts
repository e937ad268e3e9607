import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/**
 * The most spans one message may put in its trace (docs/observability.md, "Span budget"): its
 * send, its enqueue, the worker's processing and insert, and its notification's enqueue and
 * processing. Batch work (accept script, batch insert, their pg and ioredis spans) is in the
 * batches' own traces, shared by every message of a batch.
 */
export const SPANS_PER_MESSAGE_BUDGET = 6;

/**
 * Runs work with instrumentation spans (pg, ioredis, HTTP clients) switched off, for work whose
 * own span already says what it did: per-message work at thousands of messages a second would
 * otherwise multiply spans per message. Spans started explicitly inside are suppressed too.
 */
export function withoutChildSpans<T>(work: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), work);
}
