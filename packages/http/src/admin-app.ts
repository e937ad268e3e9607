import express, { type Express, type Router } from 'express';
import type { ServiceMetrics } from '@parley/metrics';
import { errorHandler, notFoundHandler } from './error-handler.js';

export interface AdminAppSettings {
  metrics: ServiceMetrics;
  /** The same liveness/readiness routes as the public app, so probes may use either port. */
  health: Router;
}

/**
 * The admin HTTP app of a service, served on its own port (METRICS_PORT): `/metrics` for
 * Prometheus, `/healthz` and `/readyz`. Nothing else, so the port can be opened to the
 * monitoring namespace alone and never routed by the ingress.
 */
export function createAdminApp(settings: AdminAppSettings): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(settings.health);
  app.get('/metrics', settings.metrics.metricsHandler);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
