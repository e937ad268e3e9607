export { startTracing } from './start-tracing.js';
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
