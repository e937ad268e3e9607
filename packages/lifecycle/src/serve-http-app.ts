import { createServer, type RequestListener, type Server } from 'node:http';
import type { Logger } from '@parley/logger';
import { closeHttpServer, installGracefulShutdown, type GracefulShutdown } from './graceful-shutdown.js';
import { createResourceStack, DEFAULT_CLOSE_TIMEOUT_MS, type ResourceStack } from './resource-stack.js';
import { startingHandler } from './starting-handler.js';

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

export type ListenSettings = Omit<ServeSettings, 'exit' | 'shutdownTimeoutMs'>;

/** Ports that listen before the app exists; `serve` hands them to it. */
export interface ListeningPorts {
  server: Server;
  adminServer?: Server;
  /** From now on the app answers (and its close is registered, to run before the ports close). */
  serve(app: ServableApp, shutdownTimeoutMs: number): void;
}

/**
 * Listens on the public port (and the admin port, when given) with `startingHandler` until
 * `serve` swaps the app in: a process whose build waits for a dependency is alive and not ready
 * meanwhile, as probes expect. The admin server's close is registered first, so it closes after
 * the app: Prometheus can still scrape a draining pod.
 */
export async function listenBeforeServing(settings: ListenSettings): Promise<ListeningPorts> {
  const resources = settings.resources ?? createResourceStack({ logger: settings.logger });
  if (settings.finally) resources.add('finally', settings.finally);
  let handler: RequestListener = startingHandler;
  let adminHandler: RequestListener = startingHandler;
  const server = createServer((request, response) => handler(request, response));
  // Longer than the ingress' idle timeout, so the proxy closes idle connections first.
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, settings.port, settings.host);
  settings.logger.info({ port, host: settings.host }, `${settings.name} listening`);

  let adminServer: Server | undefined;
  if (settings.adminPort !== undefined) {
    const admin = createServer((request, response) => adminHandler(request, response));
    try {
      const adminPort = await listen(admin, settings.adminPort, settings.host);
      settings.logger.info({ port: adminPort, host: settings.host }, `${settings.name} admin server listening (/metrics, /healthz, /readyz)`);
    } catch (error) {
      await closeHttpServer(server);
      throw error;
    }
    adminServer = admin;
    resources.add('admin-server', () => closeHttpServer(admin));
  }

  return {
    server,
    ...(adminServer ? { adminServer } : {}),
    serve(app, shutdownTimeoutMs) {
      // The app's close drains its own work, bounded by the shutdown timeout; a little more here,
      // so its own bound (and its log line) comes first.
      resources.add('app', () => app.close(), { timeoutMs: shutdownTimeoutMs + DEFAULT_CLOSE_TIMEOUT_MS });
      // Stop accepting, then wait (bounded) for in-flight requests: the first close on shutdown.
      resources.add('http-server', () => closeHttpServer(server), { timeoutMs: shutdownTimeoutMs });
      handler = app.handler;
      if (app.adminHandler) adminHandler = app.adminHandler;
      // An app without an admin handler serves its probes on the public port: nothing to say here.
      else if (adminServer) void closeHttpServer(adminServer);
      app.attach?.(server);
    },
  };
}

/**
 * Listens (and, with an admin port, serves the admin handler there too), and wires SIGTERM to:
 * not ready → stop accepting → drain → close the app → close the admin server → exit 0.
 */
export async function serveHttpApp(app: ServableApp, settings: ServeSettings): Promise<ServingApp> {
  const resources = settings.resources ?? createResourceStack({ logger: settings.logger });
  const { adminPort, ...rest } = settings;
  const ports = await listenBeforeServing({ ...rest, resources, ...(app.adminHandler && adminPort !== undefined ? { adminPort } : {}) });
  ports.serve(app, settings.shutdownTimeoutMs);
  const shutdown = installShutdown(app, resources, settings);
  return { server: ports.server, ...(ports.adminServer ? { adminServer: ports.adminServer } : {}), shutdown };
}

/** SIGTERM/SIGINT → readiness 503 → the resource stack closed (servers first) → exit. */
export function installShutdown(
  app: ServableApp,
  resources: ResourceStack,
  settings: Pick<ServeSettings, 'logger' | 'shutdownTimeoutMs' | 'exit'>,
): GracefulShutdown {
  return installGracefulShutdown({
    logger: settings.logger,
    timeoutMs: settings.shutdownTimeoutMs,
    ...(settings.exit ? { exit: settings.exit } : {}),
    stopAccepting: [{ name: 'readiness', run: () => app.markDraining() }],
    closeResources: [{ name: 'resources', run: async () => void (await resources.close()) }],
  });
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
