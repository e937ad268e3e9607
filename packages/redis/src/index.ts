export { createRedis, closeRedis, redisReady, subscribeWhenReady, Redis } from './create-redis.js';
export type { RedisSettings } from './create-redis.js';
export { readRedisConfig, connectedReplicas } from './redis-config.js';
