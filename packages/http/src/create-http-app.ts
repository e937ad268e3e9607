import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from '@parley/logger';
import type { ServiceMetrics } from '@parley/metrics';
import { errorHandler, notFoundHandler } from './error-handler.js';

export interface HttpAppSettings {
  logger: Logger;
  metrics: ServiceMetrics;
  /** Liveness/readiness routes, mounted before anything that could fail. */
  health: Router;
  corsOrigins: string[];
  /** JSON bodies above this get 413. */
  bodyLimit?: string;
  /**
   * Also serve `/metrics` on this (public) app. Services with an admin port (createAdminApp on
   * METRICS_PORT) pass false, so metrics never share the port that takes public traffic.
   */
  publicMetrics?: boolean;
}

/**
 * The Express app every Parley service starts from: security headers, CORS allow-list,
 * bounded JSON bodies, request logs, HTTP metrics, health endpoints (and `/metrics`, unless
 * the service serves it on its admin port).
 * Call `finishHttpApp` after mounting routes to add the 404 and error handlers.
 */
export function createHttpApp(settings: HttpAppSettings): Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind the ingress (or the local launcher): trust one proxy hop for client IPs.
  app.set('trust proxy', 1);
  app.use(settings.health);
  if (settings.publicMetrics ?? true) app.get('/metrics', settings.metrics.metricsHandler);
  app.use(settings.metrics.httpMetrics);
  app.use(
    pinoHttp({
      logger: settings.logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    }),
  );
  app.use(helmet());
  app.use(
    cors({
      origin: (origin, callback) => callback(null, origin === undefined || settings.corsOrigins.includes(origin)),
      credentials: true,
      maxAge: 600,
    }),
  );
  app.use(express.json({ limit: settings.bodyLimit ?? '64kb', strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(cookieParser());
  return app;
}

export function finishHttpApp(app: Express): Express {
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
