import { ConfigError } from '@parley/config';
import { createLogger, type Logger } from '@parley/logger';
import { startTracing } from '@parley/tracing';
import { createResourceStack, type ResourceStack } from './resource-stack.js';
// Types only: serve-http-app loads node:http, which must be imported after tracing started.
import type { ServableApp } from './serve-http-app.js';
import type { GracefulShutdown } from './graceful-shutdown.js';

/** What runService reads from every service's validated config (serviceEnv, metricsEnv). */
export interface RunServiceConfig {
  HOST: string;
  PORT: number;
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  /** The admin server's port (/metrics, /healthz, /readyz); none without it. */
  METRICS_PORT?: number | undefined;
}

/** What a service's build step gets from runService. */
export interface ServiceContext {
  logger: Logger;
  /** The process's resource stack (tracing at the bottom); the servers and the app go on top. */
  resources: ResourceStack;
  /** Stops the process gracefully, as SIGTERM would (the operator on losing its Lease). */
  stop(reason: string): void;
}

export interface RunServiceSettings<Config extends RunServiceConfig, App extends ServableApp> {
  /** The service's name: `service` in every log line, the tracing service name, "<name> listening". */
  name: string;
  /** Reads and validates the environment (throws ConfigError). */
  loadConfig: () => Config;
  /** Process settings applied once the config is known, before the app's modules load. */
  prepare?: (config: Config) => void;
  /**
   * Builds the app. Called after tracing started: import app.js here (dynamically), so HTTP,
   * Express, pg and ioredis are imported after tracing patched them.
   */
  build: (config: Config, context: ServiceContext) => Promise<App>;
}

/** How long a failed start may spend closing what it opened before it exits anyway. */
const FAILED_START_CLOSE_MS = 5_000;

/**
 * A service process from start to exit: config → tracing → logger → listen (alive, not ready)
 * → build the app (it may wait for a dependency) → serve it, with
 * SIGTERM/SIGINT (or the launcher's IPC channel closing) → readiness 503 → stop accepting →
 * drain → close the app → flush tracing → exit 0. Any error before it serves the app is fatal:
 * one JSON log line (level fatal) and exit 1. Never returns a rejected promise.
 */
export async function runService<Config extends RunServiceConfig, App extends ServableApp>(
  settings: RunServiceSettings<Config, App>,
): Promise<void> {
  const startedAt = performance.now();
  let logger = createLogger({ service: settings.name });
  let resources: ResourceStack | undefined;
  try {
    const config = settings.loadConfig();
    logger = createLogger({ service: settings.name, level: config.LOG_LEVEL });
    settings.prepare?.(config);
    const stack = createResourceStack({ logger });
    resources = stack;
    const tracing = startTracing({ serviceName: settings.name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
    // Closed last: spans of the shutdown itself are exported too.
    if (tracing) stack.add('tracing', () => tracing.shutdown());
    await tracing?.ready;
    const { installShutdown, listenBeforeServing } = await import('./serve-http-app.js');

    // Listening first: alive and not ready while the build waits for a dependency.
    const ports = await listenBeforeServing({
      name: settings.name,
      host: config.HOST,
      port: config.PORT,
      ...(config.METRICS_PORT !== undefined ? { adminPort: config.METRICS_PORT } : {}),
      logger,
      resources: stack,
    });
    const stopWhileStarting = stopOnSignalWhileStarting(stack, logger);
    let shutdown: GracefulShutdown | undefined;
    let stopReason: string | undefined;
    const stop = (reason: string) => {
      if (shutdown) void shutdown.shutdown(reason);
      else stopReason ??= reason;
    };
    const app = await settings.build(config, { logger, resources: stack, stop });
    stopWhileStarting.remove();
    ports.serve(app, config.SHUTDOWN_TIMEOUT_MS);
    shutdown = installShutdown(app, stack, { logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS });
    logger.info({ startupMs: Math.round(performance.now() - startedAt) }, `${settings.name} started`);
    if (stopReason !== undefined) stop(stopReason);
  } catch (error) {
    if (error instanceof ConfigError) logger.fatal({ problems: error.problems }, error.message);
    else logger.fatal({ err: error }, `${settings.name} failed to start`);
    // What was opened (connections, a listener) would keep the process alive; exit regardless.
    await Promise.race([resources?.close(), new Promise((resolve) => setTimeout(resolve, FAILED_START_CLOSE_MS).unref())]);
    process.exit(1);
  }
}

/**
 * SIGTERM or SIGINT before the app is built (its build may wait long for a dependency): close
 * what was opened so far (bounded) and exit 0, as a stop after start would.
 */
function stopOnSignalWhileStarting(resources: ResourceStack, logger: Logger): { remove(): void } {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ reason: signal }, 'stopped while starting');
    void Promise.race([resources.close(), new Promise((resolve) => setTimeout(resolve, FAILED_START_CLOSE_MS).unref())]).then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return {
    remove() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
