import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';

export { SpanKind };
export type { Attributes, Context, Link, Span, SpanContext, Tracer };

/** W3C trace context (`traceparent`, `tracestate`) as it travels in job data. */
export type TraceCarrier = Record<string, string>;

export interface SpanSettings {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** Parent context; the active one when omitted. */
  parent?: Context;
  /** Start a new trace whatever the active context is. */
  root?: boolean;
  startTime?: number;
}

/** All Parley spans of our own come from one tracer per service. */
export function parleyTracer(service: string): Tracer {
  return trace.getTracer(`parley-${service}`);
}

/** The context's trace as a carrier for job data; undefined when tracing is off (nothing to carry). */
export function traceCarrierOf(from: Context = context.active()): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(from, carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** The context a producer's carrier describes (the root context when there is none). */
export function contextFromCarrier(carrier: TraceCarrier | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/** The span context a carrier describes, for links; undefined when it carries none. */
export function spanContextFromCarrier(carrier: TraceCarrier | undefined): SpanContext | undefined {
  return carrier ? trace.getSpanContext(contextFromCarrier(carrier)) : undefined;
}

/** `parent` with `span` as its active span. */
export function contextWithSpan(span: Span, parent: Context = context.active()): Context {
  return trace.setSpan(parent, span);
}

/** The span context active in `from`, if any (for links). */
export function spanContextOf(from: Context = context.active()): SpanContext | undefined {
  return trace.getSpanContext(from);
}

/** The active context, to hand over to work that runs later (a batch, a timer). */
export function activeContext(): Context {
  return context.active();
}

/** Starts a span that is not made active (its end is the caller's job). */
export function startSpan(tracer: Tracer, name: string, settings: SpanSettings = {}): Span {
  const parent = settings.root ? ROOT_CONTEXT : (settings.parent ?? context.active());
  return tracer.startSpan(name, spanOptions(settings), parent);
}

/**
 * Runs `work` inside a new active span (so spans of pg, ioredis and our own nest under it),
 * recording a thrown error as the span's status. A no-op span when tracing is off.
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  settings: SpanSettings,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = settings.root ? ROOT_CONTEXT : (settings.parent ?? context.active());
  return tracer.startActiveSpan(name, spanOptions(settings), parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with the error's message. */
export function recordFailure(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Links to the spans these contexts describe (those without a span are skipped). */
export function linksTo(contexts: Array<SpanContext | undefined>): Link[] {
  return contexts.filter((spanContext): spanContext is SpanContext => spanContext !== undefined).map((spanContext) => ({ context: spanContext }));
}

/** Plain assignments, not spreads of conditional literals: this runs for every span, traced or not. */
function spanOptions(settings: SpanSettings): SpanOptions {
  const options: SpanOptions = {};
  if (settings.kind !== undefined) options.kind = settings.kind;
  if (settings.attributes) options.attributes = settings.attributes;
  if (settings.links && settings.links.length > 0) options.links = settings.links;
  if (settings.startTime !== undefined) options.startTime = settings.startTime;
  if (settings.root) options.root = true;
  return options;
}
