export { createServiceMetrics } from './service-metrics.js';
export type { ServiceMetrics } from './service-metrics.js';
export { Counter, Gauge, Histogram, Registry } from 'prom-client';
