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
