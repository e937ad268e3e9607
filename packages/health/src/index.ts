export { createHealthRouter } from './health-router.js';
export type { HealthRouter, ReadinessCheck } from './health-router.js';
