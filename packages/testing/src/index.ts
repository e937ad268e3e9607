export { createTestDatabase, testRedisPrefix, testServiceEnv, TEST_POSTGRES_URL, TEST_REDIS_URL } from './test-database.js';
export type { TestDatabase } from './test-database.js';
export { deleteRedisPrefix } from './test-redis.js';
export { startTestTokenIssuer } from './test-token-issuer.js';
export type { TestTokenIssuer } from './test-token-issuer.js';
export { rawGet } from './raw-http.js';
export type { RawResponse } from './raw-http.js';
export { startPrivatePostgres } from './private-postgres.js';
export type { PrivatePostgres } from './private-postgres.js';
