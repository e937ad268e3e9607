import { ConfigError } from '@parley/config';
import { startTracing } from '@parley/tracing';
import { loadUserServiceConfig, type UserServiceConfig } from './config.js';

let config: UserServiceConfig;
try {
  config = loadUserServiceConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Tracing patches http, express, pg and ioredis, so it starts before they are imported.
const tracing = startTracing({ serviceName: 'user', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
await tracing?.ready;
const { serveHttpApp } = await import('@parley/lifecycle');
const { createUserApp } = await import('./app.js');

const userApp = await createUserApp(config);
await serveHttpApp(userApp, {
  name: 'user service',
  host: config.HOST,
  port: config.PORT,
  adminPort: config.METRICS_PORT,
  logger: userApp.logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  ...(tracing ? { finally: () => tracing.shutdown() } : {}),
});
