export { createRateLimit } from './rate-limiter.js';
export type { RateLimit, RateLimitSettings } from './rate-limiter.js';
