export { createRedis, redisKey, closeRedis, Redis } from './create-redis.js';
export type { RedisSettings } from './create-redis.js';
