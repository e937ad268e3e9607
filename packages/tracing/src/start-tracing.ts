import { register } from 'node:module';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface TracingHandle {
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
 * Starts the OpenTelemetry SDK. Call it before the app's modules are imported
 * (main.ts imports the app dynamically after this) so HTTP, Express, pg and ioredis get patched.
 */
export function startTracing(settings: TracingSettings): TracingHandle | undefined {
  if (!settings.otlpEndpoint && !settings.exporter) return undefined;
  // ESM modules are patched through import-in-the-middle's loader hook.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    ...(settings.exporter ? { traceExporter: settings.exporter } : {}),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? '') }),
      new ExpressInstrumentation(),
      new PgInstrumentation(),
      new IORedisInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
