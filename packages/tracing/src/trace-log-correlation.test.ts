import { Writable } from 'node:stream';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@parley/logger';
import { contextFromCarrier, inSpan, parleyTracer, SpanKind, startTracing, traceCarrierOf, type TracingHandle } from '@parley/tracing';

/** Log lines written by a logger, parsed. */
function collectLines() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, destination };
}

describe('trace context in logs and job data', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle | undefined;

  beforeAll(() => {
    // The SDK exactly as services start it, with an in-memory exporter instead of OTLP.
    tracing = startTracing({ serviceName: 'correlation-test', exporter });
  });

  afterAll(async () => {
    await tracing?.shutdown();
  });

  it('writes the active span’s trace_id and span_id into every log line, and none outside spans', async () => {
    const { lines, destination } = collectLines();
    const logger = createLogger({ service: 'correlation-test', destination });
    logger.info('before');
    const ids = await inSpan(parleyTracer('test'), 'work', {}, async (span) => {
      logger.info('inside');
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.warn('still inside, after an await');
      return span.spanContext();
    });
    logger.info('after');

    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines.map((line) => [line.msg, line.trace_id, line.span_id])).toEqual([
      ['before', undefined, undefined],
      ['inside', ids.traceId, ids.spanId],
      ['still inside, after an await', ids.traceId, ids.spanId],
      ['after', undefined, undefined],
    ]);
  });

  it('carries a span’s context through a W3C carrier, so a consumer continues the same trace', async () => {
    const tracer = parleyTracer('test');
    const carrier = await inSpan(tracer, 'produce', { kind: SpanKind.PRODUCER }, async () => traceCarrierOf());
    expect(carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await inSpan(tracer, 'consume', { kind: SpanKind.CONSUMER, parent: contextFromCarrier(carrier) }, async () => undefined);
    await tracing?.flush();
    const spans = exporter.getFinishedSpans();
    const produce = spans.find((span) => span.name === 'produce')!;
    const consume = spans.find((span) => span.name === 'consume')!;
    expect(consume.spanContext().traceId).toBe(produce.spanContext().traceId);
    expect(consume.parentSpanContext?.spanId).toBe(produce.spanContext().spanId);
  });

  it('gives no carrier outside any span', () => {
    expect(traceCarrierOf(contextFromCarrier(undefined))).toBeUndefined();
  });
});
