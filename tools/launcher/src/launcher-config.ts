import { resolve } from 'node:path';
import { z } from 'zod';
import { envInt, envPort, loadConfig } from '@parley/config';

/** Variables of `npm start` itself; the services' own variables are passed through. */
export const configSchema = z.object({
  PARLEY_PORT: envPort(8080).describe('Port of the one local origin (the gateway that routes like the ingress).'),
  PARLEY_HOST: z.string().default('127.0.0.1').describe('Interface the gateway and the services bind to.'),
  PARLEY_DATA_DIR: z
    .string()
    .default('./.parley-data')
    .describe('Local state: embedded PostgreSQL, Redis, signing keys, file mailbox.'),
  PARLEY_SERVICE_PORT_BASE: envInt(0)
    .describe(
      'First port of the services (auth, user, … get consecutive ports, and their /metrics admin ports start at this + 100); 0 picks free ports.',
    ),
  PARLEY_POSTGRES_PORT: envPort(54329).describe('Port of the embedded PostgreSQL (only when DATABASE_URL is unset).'),
  PARLEY_REDIS_PORT: envPort(6389).describe('Port of a redis-server the launcher starts (only when no Redis answers).'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//)
    .optional()
    .describe('Use this PostgreSQL instead of the embedded one.'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?(\+cluster)?:\/\//)
    .optional()
    .describe(
      'Use this Redis; otherwise 127.0.0.1:6379 if it answers, otherwise a redis-server from PATH. Services take `redis://`/`rediss://` for one Redis and `redis+cluster://host:port,…`/`rediss+cluster://…` for a Redis Cluster (which needs a REDIS_KEY_PREFIX with a hash tag, e.g. `{parley}:`; docs/decisions/0035-redis-cluster.md).',
    ),
  PARLEY_BACKGROUND_NICENESS: z.coerce
    .number()
    .int()
    .min(0)
    .max(19)
    .default(0)
    .describe(
      'CPU niceness (0–19) of the persistence worker and the embedded PostgreSQL, whose work no send waits on: on a saturated machine the sockets then get the CPU first, at the cost of persistence lag (see docs/performance.md); 0 runs them like the rest.',
    ),
  PARLEY_RESTART_LIMIT: envInt(5, 1).describe(
    'A service that exits this many times within PARLEY_RESTART_WINDOW_MS is given up on and the platform stops; before that, each exit is logged and the service restarted.',
  ),
  PARLEY_RESTART_WINDOW_MS: envInt(120_000, 1_000).describe('The window PARLEY_RESTART_LIMIT counts a service’s exits in.'),
  PARLEY_RESTART_BACKOFF_MS: envInt(1_000, 10).describe(
    'Delay before restarting a service that exited; it doubles with each exit in the window (at most 30 s).',
  ),
  REDIS_KEY_PREFIX: z.string().default('parley:').describe('Redis key prefix passed to every service.'),
  LOG_LEVEL: z.string().default('info').describe('Log level passed to every service.'),
});

export type LauncherConfig = z.infer<typeof configSchema> & { dataDir: string };

export function loadLauncherConfig(env: Record<string, string | undefined> = process.env): LauncherConfig {
  const config = loadConfig(configSchema, env);
  return { ...config, dataDir: resolve(config.PARLEY_DATA_DIR) };
}
