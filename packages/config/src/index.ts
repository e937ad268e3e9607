export { loadConfig, ConfigError } from './load-config.js';
export { envBoolean, envInt, envList, envPort, envUrl } from './env-types.js';
export { serviceEnv, databaseEnv, redisEnv, corsEnv, tokenEnv, internalEnv } from './common-env.js';
