import type { Express } from 'express';
import { createHealthRouter } from '@parley/health';
import { createAdminApp, createHttpApp, finishHttpApp } from '@parley/http';
import type { ServableApp } from '@parley/lifecycle';
import { createLogger, type Logger } from '@parley/logger';
import { createServiceMetrics } from '@parley/metrics';
import type { WebConfig } from './config.js';
import { inlineStyleHashes } from './inline-style-hashes.js';
import { securityHeaders } from './security-headers.js';
import { hasBuild, staticSite } from './static-site.js';

export interface WebApp extends ServableApp {
  app: Express;
  /** /metrics, /healthz and /readyz, served on METRICS_PORT by main.ts. */
  adminHandler: Express;
  logger: Logger;
}

export interface WebAppOptions {
  logger?: Logger;
}

/**
 * The web server: the built browser client with SPA fallback, precompressed files (brotli,
 * gzip), cache headers fit for hashed assets, no source maps, a strict Content-Security-Policy, and the platform's `/healthz` and
 * `/readyz`. `/metrics` is served only by the admin handler (METRICS_PORT): the public port sits
 * behind the Ingress's catch-all `/` route. It holds no connections of its own, so closing it is immediate.
 */
export async function createWebApp(config: WebConfig, options: WebAppOptions = {}): Promise<WebApp> {
  const logger = options.logger ?? createLogger({ service: 'web', level: config.LOG_LEVEL });
  const metrics = createServiceMetrics('web');
  const health = createHealthRouter({
    build: async () => {
      if (!hasBuild(config.STATIC_DIR)) throw new Error(`no index.html in ${config.STATIC_DIR}`);
    },
  });
  if (!hasBuild(config.STATIC_DIR)) {
    logger.warn({ staticDir: config.STATIC_DIR }, 'the web client is not built: run `npm run build`');
  }

  // Same-origin only: the API is behind the same ingress, so no browser origin needs CORS here.
  const app = createHttpApp({ logger, metrics, health: health.router, corsOrigins: [], publicMetrics: false });
  app.use(securityHeaders({ styleHashes: inlineStyleHashes(config.STATIC_DIR) }));
  app.use(staticSite(config.STATIC_DIR));
  finishHttpApp(app);

  return {
    app,
    handler: app,
    adminHandler: createAdminApp({ metrics, health: health.router }),
    logger,
    markDraining: () => health.markDraining(),
    close: async () => {},
  };
}
