import { ConfigError } from '@parley/config';
import { startTracing } from '@parley/tracing';
import { loadWebConfig, type WebConfig } from './config.js';

let config: WebConfig;
try {
  config = loadWebConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Tracing patches http and express, so it starts before they are imported.
const tracing = startTracing({ serviceName: 'web', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { serveHttpApp } = await import('@parley/lifecycle');
const { createWebApp } = await import('./app.js');

const webApp = await createWebApp(config);
await serveHttpApp(webApp, {
  name: 'web server',
  host: config.HOST,
  port: config.PORT,
  adminPort: config.METRICS_PORT,
  logger: webApp.logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  ...(tracing ? { finally: () => tracing.shutdown() } : {}),
});
