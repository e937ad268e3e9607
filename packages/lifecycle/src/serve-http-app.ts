import { createServer, type RequestListener, type Server } from 'node:http';
import type { Logger } from '@parley/logger';
import { closeHttpServer, installGracefulShutdown, type GracefulShutdown } from './graceful-shutdown.js';

export interface ServableApp {
  /** The request handler (an Express app). */
  handler: RequestListener;
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
  logger: Logger;
  shutdownTimeoutMs: number;
  /** Extra steps after the app closed (tracing flush). */
  finally?: () => Promise<void>;
}

/** Listens, and wires SIGTERM to: not ready → stop accepting → drain → close → exit 0. */
export async function serveHttpApp(app: ServableApp, settings: ServeSettings): Promise<{ server: Server; shutdown: GracefulShutdown }> {
  const server = createServer(app.handler);
  // Longer than the ingress' idle timeout, so the proxy closes idle connections first.
  server.keepAliveTimeout = 65_000;
  app.attach?.(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  settings.logger.info({ port, host: settings.host }, `${settings.name} listening`);

  const shutdown = installGracefulShutdown({
    logger: settings.logger,
    timeoutMs: settings.shutdownTimeoutMs,
    stopAccepting: [
      { name: 'readiness', run: () => app.markDraining() },
      { name: 'http-server', run: () => closeHttpServer(server) },
    ],
    closeResources: [
      { name: 'app', run: () => app.close() },
      ...(settings.finally ? [{ name: 'finally', run: settings.finally }] : []),
    ],
  });
  return { server, shutdown };
}
