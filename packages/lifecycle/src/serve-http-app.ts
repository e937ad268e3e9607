import { createServer, type RequestListener, type Server } from 'node:http';
import type { Logger } from '@parley/logger';
import { closeHttpServer, installGracefulShutdown, type GracefulShutdown } from './graceful-shutdown.js';
import { createResourceStack, DEFAULT_CLOSE_TIMEOUT_MS, type ResourceStack } from './resource-stack.js';

export interface ServableApp {
  /** The request handler (an Express app). */
  handler: RequestListener;
  /**
   * The admin request handler (`/metrics`, `/healthz`, `/readyz`; createAdminApp of
   * @parley/http), served on its own port when the settings give one.
   */
  adminHandler?: RequestListener;
  /** Readiness goes 503 first, so load balancers stop routing before we close the listener. */
  markDraining(): void;
  /** Optional hook after the HTTP server exists (socket.io attaches here). */
  attach?(server: Server): void;
  /** Stops background work and closes pools; called after the listener drained. */
  close(): Promise<void>;
}

export interface ServeSettings {
  name: string;
  host: string;
  port: number;
  /**
   * Port of the admin server (METRICS_PORT; 0 picks a free one, logged). Used when the app has
   * an admin handler; without one, or when undefined, no admin server starts.
   */
  adminPort?: number;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** Extra steps after the app closed (tracing flush). */
  finally?: () => Promise<void>;
  /**
   * The process's resource stack (runService passes its own, holding tracing); the servers and
   * the app are added on top of it. A new one when not given.
   */
  resources?: ResourceStack;
  /** For tests: what to do instead of process.exit once shut down. */
  exit?: (code: number) => void;
}

export interface ServingApp {
  server: Server;
  /** The admin server, when one was started. */
  adminServer?: Server;
  shutdown: GracefulShutdown;
}

/**
 * Listens (and, with an admin port, serves the admin handler there too), and wires SIGTERM to:
 * not ready → stop accepting → drain → close → exit 0. The admin server closes last, so
 * Prometheus can still scrape a pod while it drains.
 */
export async function serveHttpApp(app: ServableApp, settings: ServeSettings): Promise<ServingApp> {
  const resources = settings.resources ?? createResourceStack({ logger: settings.logger });
  if (settings.finally) resources.add('finally', settings.finally);
  // Registered before the app, so it closes after it: Prometheus can still scrape a draining pod.
  let adminServer: Server | undefined;
  resources.add('admin-server', () => adminServer && closeHttpServer(adminServer));
  // The app's close drains its own work, bounded by the shutdown timeout; a little more here, so
  // its own bound (and its log line) comes first.
  resources.add('app', () => app.close(), { timeoutMs: settings.shutdownTimeoutMs + DEFAULT_CLOSE_TIMEOUT_MS });

  const server = createServer(app.handler);
  // Longer than the ingress' idle timeout, so the proxy closes idle connections first.
  server.keepAliveTimeout = 65_000;
  app.attach?.(server);
  const port = await listen(server, settings.port, settings.host);
  // Stop accepting, then wait (bounded) for in-flight requests: the first close on shutdown.
  resources.add('http-server', () => closeHttpServer(server), { timeoutMs: settings.shutdownTimeoutMs });
  settings.logger.info({ port, host: settings.host }, `${settings.name} listening`);

  if (app.adminHandler && settings.adminPort !== undefined) {
    const admin = createServer(app.adminHandler);
    try {
      const adminPort = await listen(admin, settings.adminPort, settings.host);
      adminServer = admin;
      settings.logger.info({ port: adminPort, host: settings.host }, `${settings.name} admin server listening (/metrics, /healthz, /readyz)`);
    } catch (error) {
      await closeHttpServer(server);
      throw error;
    }
  }

  const shutdown = installGracefulShutdown({
    logger: settings.logger,
    timeoutMs: settings.shutdownTimeoutMs,
    ...(settings.exit ? { exit: settings.exit } : {}),
    stopAccepting: [{ name: 'readiness', run: () => app.markDraining() }],
    closeResources: [{ name: 'resources', run: async () => void (await resources.close()) }],
  });
  return { server, ...(adminServer ? { adminServer } : {}), shutdown };
}

/** Listens and resolves with the bound port (the real one when 0 was asked for). */
function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
