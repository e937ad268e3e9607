export { createRedis, closeRedis, redisReady, subscribeWhenReady, SingleRedis, Cluster } from './create-redis.js';
export type { Redis, RedisSettings } from './create-redis.js';
export { readRedisConfig, connectedReplicas, primaryOfKey, primaries } from './redis-config.js';
export { parseRedisUrl, isClusterUrl, hasHashTag } from './redis-url.js';
export type { RedisTarget } from './redis-url.js';
