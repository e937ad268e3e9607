export { startTracing } from './start-tracing.js';
export { SPANS_PER_MESSAGE_BUDGET, withoutChildSpans } from './span-budget.js';
export { batchSampleBucket, markBatchSampleBucket, sampleBucket, SAMPLE_BUCKET_ATTRIBUTE } from './trace-sampling.js';
export type { TracingHandle, TracingSettings } from './start-tracing.js';
export {
  activeContext,
  contextFromCarrier,
  contextWithSpan,
  inSpan,
  linksTo,
  parleyTracer,
  recordFailure,
  spanContextFromCarrier,
  spanContextOf,
  SpanKind,
  startSpan,
  traceCarrierOf,
} from './trace-context.js';
export type { Attributes, Context, Link, Span, SpanContext, SpanSettings, TraceCarrier, Tracer } from './trace-context.js';
