import { ConfigError } from '@parley/config';
import { startTracing } from '@parley/tracing';
import { loadPersistenceWorkerConfig, type PersistenceWorkerConfig } from './config.js';

let config: PersistenceWorkerConfig;
try {
  config = loadPersistenceWorkerConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Tracing patches http, express, pg and ioredis, so it starts before they are imported.
const tracing = startTracing({ serviceName: 'persistence-worker', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
await tracing?.ready;
const { serveHttpApp } = await import('@parley/lifecycle');
const { createPersistenceWorkerApp } = await import('./app.js');

const workerApp = await createPersistenceWorkerApp(config);
await serveHttpApp(workerApp, {
  name: 'persistence worker',
  host: config.HOST,
  port: config.PORT,
  adminPort: config.METRICS_PORT,
  logger: workerApp.logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  ...(tracing ? { finally: () => tracing.shutdown() } : {}),
});
