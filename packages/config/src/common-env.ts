import { z } from 'zod';
import { envBoolean, envInt, envList, envPort } from './env-types.js';

/** Variables every HTTP service reads. Services spread these into their own schema. */
export const serviceEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development').describe('Runtime mode.'),
  HOST: z.string().default('0.0.0.0').describe('Interface the HTTP server binds to.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level.'),
  SHUTDOWN_TIMEOUT_MS: envInt(10_000, 100).describe(
    'How long SIGTERM waits for in-flight work before closing pools anyway.',
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url()
    .optional()
    .describe(
      'OTLP endpoint of an OpenTelemetry Collector (e.g. `http://otel-collector:4318`); tracing is on only when this is set. The SDK also reads the standard `OTEL_*` variables (`OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_SAMPLER`, …; see docs/observability.md).',
    ),
} as const;

/** Default admin (metrics) port of each service, so processes on one machine never collide. */
export const DEFAULT_METRICS_PORTS = {
  auth: 9464,
  user: 9465,
  'chat-socket': 9466,
  'persistence-worker': 9467,
  web: 9468,
} as const;

/** The admin port: /metrics for Prometheus (and /healthz, /readyz), never routed publicly. */
export const metricsEnv = (defaultPort: number) =>
  ({
    METRICS_PORT: envPort(defaultPort).describe(
      `Port of the admin HTTP server: \`/metrics\` (Prometheus), \`/healthz\` and \`/readyz\`; the public port does not serve \`/metrics\`. 0 picks a free port (logged). Defaults: ${Object.entries(
        DEFAULT_METRICS_PORTS,
      )
        .map(([service, port]) => `${service} ${port}`)
        .join(', ')}.`,
    ),
  }) as const;

export const databaseEnv = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .describe('PostgreSQL connection URL (the service uses its own schema in it).'),
  DATABASE_POOL_SIZE: envInt(10, 1).describe('Maximum PostgreSQL connections per process.'),
} as const;

export const redisEnv = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?(\+cluster)?:\/\//, 'must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL')
    .default('redis://127.0.0.1:6379')
    .describe(
      'Redis connection URL: `redis://` (or `rediss://` for TLS) for one Redis; `redis+cluster://[user:password@]host:port,host:port,…` (or `rediss+cluster://`) for a Redis Cluster, naming some of its nodes as seeds. A cluster needs Redis ≥ 7.0 (sharded pub/sub) and a REDIS_KEY_PREFIX with a hash tag (see docs/decisions/0035-redis-cluster.md).',
    ),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9:_{}-]*$/)
    .default('parley:')
    .describe(
      'Prefix of every Redis key and BullMQ queue, so several installs can share one Redis. With a Redis Cluster it must carry a hash tag, e.g. `{parley}:`, so that every key of the install is in one slot (scripts and BullMQ need their keys together).',
    ),
} as const;

/**
 * Checks that need both Redis variables: a cluster runs multi-key scripts only on keys of one
 * slot, which the prefix's hash tag guarantees. Empty when fine or not about Redis.
 */
export function redisEnvProblems(config: Record<string, unknown>): string[] {
  const url = config.REDIS_URL;
  const prefix = config.REDIS_KEY_PREFIX;
  if (typeof url !== 'string' || typeof prefix !== 'string') return [];
  if (/^rediss?\+cluster:\/\//.test(url) && !/\{[^{}]+\}/.test(prefix)) {
    return [`REDIS_KEY_PREFIX: with a Redis Cluster (REDIS_URL ${url.split('://')[0]}://…) it must carry a hash tag, e.g. {parley}:`];
  }
  return [];
}

export const corsEnv = {
  CORS_ORIGINS: envList('http://localhost:8080').describe(
    'Comma-separated browser origins allowed by CORS (and, for sockets, the handshake).',
  ),
} as const;

export const tokenEnv = {
  JWT_ISSUER: z.string().min(1).default('parley-auth').describe('`iss` of access tokens.'),
  JWT_AUDIENCE: z.string().min(1).default('parley').describe('`aud` of access tokens.'),
} as const;

export const internalEnv = {
  INTERNAL_API_TOKEN: z
    .string()
    .min(16)
    .optional()
    .describe('Shared secret for internal service-to-service endpoints; when set they require it.'),
} as const;

/** Local state of a process (signing keys, the file mailbox) when no other path is configured. */
export const dataDirEnv = {
  DATA_DIR: z
    .string()
    .min(1)
    .default('./.parley-data')
    .describe('Directory for local state: signing keys and the file mailbox default to folders in it.'),
} as const;

/** The `mail` queue's consumer: SMTP when configured, otherwise a file mailbox. */
export const mailEnv = {
  MAIL_WORKER_ENABLED: envBoolean(true).describe('Run the `mail` queue worker in this process (verification and reset codes).'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional()
    .describe('SMTP server for outgoing mail; when unset, mail is written as JSON files to MAILBOX_DIR.'),
  MAIL_FROM: z.string().min(3).default('Parley <no-reply@parley.local>').describe('Sender of outgoing mail.'),
  MAILBOX_DIR: z
    .string()
    .min(1)
    .optional()
    .describe('File mailbox used when SMTP_URL is unset. Defaults to `${DATA_DIR}/mailbox`.'),
} as const;

export { envBoolean, envInt, envList, envPort };

/**
 * The shard count of the `messages` queue, read by its producers (chat-socket) and its consumers
 * (persistence-worker); both must agree (docs/decisions/0041-sharded-message-queues.md). At most
 * 64, @parley/queues' MAX_MESSAGE_QUEUE_SHARDS.
 */
export const messageQueueEnv = {
  MESSAGE_QUEUE_SHARDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(1)
    .describe(
      'Queues the `messages` queue is split into by room (1-64; shard 0 keeps the name `messages`). The same value on chat-socket and the persistence worker. Changing it loses nothing: workers drain the queues of the previous count (docs/decisions/0041-sharded-message-queues.md); with MESSAGE_SHARD_KEYS=shard it needs the reshard procedure instead.',
    ),
  MESSAGE_SHARD_KEYS: z
    .enum(['install', 'shard'])
    .default('install')
    .describe(
      'Where the message path keeps its Redis keys. `install`: every shard under the install prefix (one slot on a Redis Cluster). `shard`: each shard but shard 0 under a hash tag of its own (`{parley:m3}:`): its queue, ledger, and the counters, windows and idempotency keys of its rooms and senders, so a Redis Cluster spreads the message path over its primaries (each sender keeps one token bucket under the install prefix, taken before the shard\'s script); MESSAGE_QUEUE_SHARDS can only be changed with every chat-socket pod stopped (docs/decisions/0043-hash-tag-per-message-shard.md). The same value on chat-socket and the persistence worker.',
    ),
} as const;
