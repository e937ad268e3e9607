export { loadConfig, ConfigError } from './load-config.js';
export { envBoolean, envInt, envList, envPort, envUrl } from './env-types.js';
export { serviceEnv, databaseEnv, redisEnv, corsEnv, tokenEnv, internalEnv, dataDirEnv, mailEnv, metricsEnv, messageQueueEnv, DEFAULT_METRICS_PORTS } from './common-env.js';
