export { createServiceMetrics, HTTP_STATUS_CLASSES } from './service-metrics.js';
export type { ServiceMetrics } from './service-metrics.js';
export { Counter, Gauge, Histogram, Registry } from 'prom-client';
