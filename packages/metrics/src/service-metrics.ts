import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { registerBuildInfo } from './build-info.js';

/** The status classes of `parley_http_responses_total`, exported at 0 from the first scrape. */
export const HTTP_STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;

export interface ServiceMetrics {
  registry: Registry;
  /** Records `parley_http_request_duration_seconds` by route template, method and status. */
  httpMetrics: RequestHandler;
  /** Serves the registry in the Prometheus text format. */
  metricsHandler: RequestHandler;
}

/**
 * One registry per app instance (tests start several apps in one process), with the
 * default process and Node metrics labelled by service.
 */
export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  registerBuildInfo(registry);

  const httpDuration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request duration by route template, method and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const httpResponses = new Counter({
    name: 'parley_http_responses_total',
    help: 'HTTP API responses by status class (2xx, 3xx, 4xx, 5xx); every class exists from the first scrape, so error ratios read 0, not "No data", and a fresh pod\'s first errors count.',
    labelNames: ['status_class'] as const,
    registers: [registry],
  });
  for (const statusClass of HTTP_STATUS_CLASSES) httpResponses.inc({ status_class: statusClass }, 0);

  const httpMetrics: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const stop = httpDuration.startTimer();
    const route = captureRouteTemplate(req);
    res.on('finish', () => {
      stop({ method: req.method, route: route(), status_code: String(res.statusCode) });
      httpResponses.inc({ status_class: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  };

  const metricsHandler: RequestHandler = async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.end(await registry.metrics());
  };

  return { registry, httpMetrics, metricsHandler };
}

/**
 * The matched route's template (`/api/v1/users/:id`), never the raw URL, so the label set stays
 * bounded. Read when the router matches the route: by the time the response finishes, a request
 * whose handler threw has left its sub-router and `req.baseUrl` lost the mount path.
 */
function captureRouteTemplate(req: Request): () => string {
  let route: unknown;
  let template: string | undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      const path: unknown = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === 'string') template = `${req.baseUrl}${path}`;
    },
  });
  return () => template ?? 'unmatched';
}
