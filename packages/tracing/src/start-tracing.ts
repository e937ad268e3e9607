import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ScrubbingExporter } from './span-scrubbing.js';

export interface TracingHandle {
  /**
   * Resolves once the ESM loader hook knows which modules to patch: await it before importing
   * the app (main.ts does), or ESM imports of express or ioredis may slip through unpatched.
   */
  ready: Promise<void>;
  /** Exports the spans ended so far (tests read them without waiting for the batch delay). */
  flush(): Promise<void>;
  /** Flushes the spans still buffered and stops the SDK (the last step of a graceful shutdown). */
  shutdown(): Promise<void>;
}

export interface TracingSettings {
  serviceName: string;
  /** OTLP endpoint; tracing stays off (no SDK, no overhead) when unset and no exporter is given. */
  otlpEndpoint?: string;
  /** Tests pass an in-memory exporter. */
  exporter?: SpanExporter;
}

/**
 * Requests that never get a server span: probes and scrapes (noise), and socket.io's transport
 * requests (a long-poll lasts up to the ping interval; socket events get spans of their own).
 */
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics|socket\.io)(\/|\?|$)/;

/**
 * Starts the OpenTelemetry SDK for traces. Call it, and await `ready`, before the app's modules
 * are imported (main.ts imports the app dynamically after this) so HTTP, Express, pg and ioredis
 * get patched: CommonJS packages required by CommonJS code (pg from TypeORM) through
 * require-in-the-middle, modules imported from ESM (express, ioredis, node:http) through
 * import-in-the-middle's loader hook, registered here before those imports happen.
 *
 * The loader wraps ONLY the modules the instrumentations ask for (the instrumentations send
 * their module names over a message channel as they are created): wrapping every module would
 * cost start-up time and breaks modules whose `export *` lists name one binding twice (our
 * contracts package does).
 *
 * Only traces go over OTLP (`OTEL_EXPORTER_OTLP_ENDPOINT`, protocol from
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, http/protobuf by default). Metrics are Prometheus' job
 * (`/metrics` on the admin port), so the SDK's own metric and log exporters stay off.
 */
export function startTracing(settings: TracingSettings): TracingHandle | undefined {
  if (!settings.otlpEndpoint && !settings.exporter) return undefined;
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, registerOptions);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    // Every span is scrubbed on its way out (no emails, client addresses or tokens leave the process).
    traceExporter: new ScrubbingExporter(settings.exporter ?? otlpExporterFromEnv()),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? '') }),
      new ExpressInstrumentation(),
      // Only queries made on behalf of a traced operation: readiness probes, the outbox relay and
      // other background loops would otherwise start a trace every few seconds per pod.
      new PgInstrumentation({ requireParentSpan: true }),
      // The command only, never its arguments: keys name users by email and address (rate
      // limits), values carry message bodies and tokens.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
    ],
  });
  sdk.start();
  return { ready: waitForAllMessagesAcknowledged(), flush: flushSpans, shutdown: () => sdk.shutdown() };
}

/** The OTLP exporter OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL names (http/protobuf by default); each reads its endpoint and headers from the environment. */
function otlpExporterFromEnv(): SpanExporter {
  const protocol = process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (protocol === 'grpc') return new GrpcTraceExporter();
  if (protocol === 'http/json') return new HttpJsonTraceExporter();
  return new HttpProtoTraceExporter();
}

/** forceFlush of the registered provider (behind the API's proxy provider). */
async function flushSpans(): Promise<void> {
  const registered: object = trace.getTracerProvider();
  const provider: object = 'getDelegate' in registered && typeof registered.getDelegate === 'function' ? (registered.getDelegate() as object) : registered;
  if ('forceFlush' in provider && typeof provider.forceFlush === 'function') await (provider.forceFlush as () => Promise<void>).call(provider);
}
