import { ConfigError } from '@parley/config';
import { startTracing } from '@parley/tracing';
import { loadChatSocketConfig, type ChatSocketConfig } from './config.js';
import { applyHeapGrowingPercent } from './runtime/heap-growth.js';

let config: ChatSocketConfig;
try {
  config = loadChatSocketConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
applyHeapGrowingPercent(config.HEAP_GROWING_PERCENT);

// Tracing patches http, express, pg and ioredis, so it starts before they are imported.
const tracing = startTracing({ serviceName: 'chat-socket', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
await tracing?.ready;
const { serveHttpApp } = await import('@parley/lifecycle');
const { createChatSocketApp } = await import('./app.js');

const chatApp = await createChatSocketApp(config);
await serveHttpApp(chatApp, {
  name: 'chat-socket service',
  host: config.HOST,
  port: config.PORT,
  adminPort: config.METRICS_PORT,
  logger: chatApp.logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  ...(tracing ? { finally: () => tracing.shutdown() } : {}),
});
