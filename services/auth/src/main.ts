import { ConfigError } from '@parley/config';
import { startTracing } from '@parley/tracing';
import { loadAuthConfig } from './config.js';

/** Process wiring only: config → tracing → (then) the app → HTTP server with graceful shutdown. */
async function main(): Promise<void> {
  const config = loadAuthConfig();
  const tracing = startTracing({ serviceName: 'auth', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await tracing?.ready;
  // Imported after tracing started, so HTTP, Express, pg and ioredis get instrumented.
  const [{ createAuthApp }, { serveHttpApp }, { createLogger }] = await Promise.all([
    import('./app.js'),
    import('@parley/lifecycle'),
    import('@parley/logger'),
  ]);
  const logger = createLogger({ service: 'auth', level: config.LOG_LEVEL });
  const app = await createAuthApp(config, { logger });
  await serveHttpApp(app, {
    name: 'auth',
    host: config.HOST,
    port: config.PORT,
    adminPort: config.METRICS_PORT,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    finally: async () => {
      await tracing?.shutdown();
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `auth failed to start: ${String((error as Error)?.stack ?? error)}`}\n`);
  process.exit(1);
});
