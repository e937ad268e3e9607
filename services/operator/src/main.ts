import { ConfigError } from '@parley/config';
import { startTracing } from '@parley/tracing';
import { loadOperatorConfig, type OperatorConfig } from './config.js';

let config: OperatorConfig;
try {
  config = loadOperatorConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Tracing patches http and express, so it starts before they are imported.
const tracing = startTracing({ serviceName: 'operator', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { serveHttpApp } = await import('@parley/lifecycle');
const { createOperatorApp } = await import('./app.js');

const operator = await createOperatorApp(config);
await serveHttpApp(operator, {
  name: 'operator',
  host: config.HOST,
  port: config.PORT,
  logger: operator.logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  ...(tracing ? { finally: () => tracing.shutdown() } : {}),
});
