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

let served: Awaited<ReturnType<typeof serveHttpApp>> | undefined;
const operator = await createOperatorApp(config, {
  // Lost the Lease while running: shut down and let Kubernetes restart the container clean.
  onLeadershipLost: () => void served?.shutdown.shutdown('lost the leader-election Lease'),
});
served = await serveHttpApp(operator, {
  name: 'operator',
  host: config.HOST,
  port: config.PORT,
  logger: operator.logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  ...(tracing ? { finally: () => tracing.shutdown() } : {}),
});
