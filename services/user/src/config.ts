import { z } from 'zod';
import {
  corsEnv,
  databaseEnv,
  envBoolean,
  envInt,
  envPort,
  internalEnv,
  loadConfig,
  redisEnv,
  serviceEnv,
  tokenEnv,
  metricsEnv,
  DEFAULT_METRICS_PORTS,
} from '@parley/config';

/** Every environment variable the user service reads. */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: envPort(8082).describe('TCP port of the user service HTTP server.'),
  ...metricsEnv(DEFAULT_METRICS_PORTS.user),
  ...databaseEnv,
  ...redisEnv,
  ...corsEnv,
  ...tokenEnv,
  JWKS_URL: z
    .url()
    .default('http://127.0.0.1:8081/.well-known/jwks.json')
    .describe('JWKS of the auth service: the public keys that verify access tokens.'),
  ...internalEnv,
  FRIEND_REQUEST_LIMIT_PER_MINUTE: envInt(30, 1).describe('Friend requests one user may send per minute.'),
  WRITE_LIMIT_PER_MINUTE: envInt(120, 1).describe(
    'Write requests (profile edits, friend and block changes) one user may make per minute.',
  ),
  DB_MIGRATE_ON_START: envBoolean(false).describe(
    'Run pending database migrations when the service starts (otherwise run `migrate` as a separate job).',
  ),
});

export type UserServiceConfig = z.infer<typeof configSchema>;

export function loadUserServiceConfig(env: Record<string, string | undefined> = process.env): UserServiceConfig {
  return loadConfig(configSchema, env);
}
