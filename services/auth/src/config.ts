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
  dataDirEnv,
  mailEnv,
} from '@parley/config';

/** Every variable the auth service reads; `npm run docs:config` renders the table from these. */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: envPort(8081).describe('HTTP port of the auth service.'),
  ...metricsEnv(DEFAULT_METRICS_PORTS.auth),
  ...databaseEnv,
  ...redisEnv,
  ...corsEnv,
  ...tokenEnv,
  ...internalEnv,

  ...dataDirEnv,
  SIGNING_KEYS_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Directory of JWK files `<kid>.json` (private EC P-256 keys with `iat` and optional `nbf`; files without `d` only verify). Defaults to `${DATA_DIR}/signing-keys`. Changes are picked up without a restart.',
    ),
  SIGNING_KEYS_GENERATE: envBoolean(true).describe(
    'Generate a signing key on start when the directory holds no usable private key (the Helm chart turns this off and mounts a Secret).',
  ),
  SIGNING_KEYS_RELOAD_MS: envInt(5_000, 50).describe(
    'How often the signing-key directory is re-read (on top of file-change notifications).',
  ),

  ACCESS_TOKEN_TTL_SECONDS: envInt(900, 1).describe('Lifetime of access tokens (ES256 JWTs), in seconds.'),
  REFRESH_TOKEN_TTL_SECONDS: envInt(2_592_000, 1).describe(
    'Lifetime of a refresh token (and of the refresh cookie), in seconds; each refresh issues a new one.',
  ),
  REFRESH_REUSE_GRACE_SECONDS: envInt(10, 0).describe(
    'Window after a refresh token was first used in which presenting it again returns a fresh pair of the same family (two tabs refreshing at once) instead of revoking the family as a replay.',
  ),
  COOKIE_SECURE: envBoolean(true).describe(
    'Mark the refresh-token cookie `Secure` (sent over HTTPS only; browsers also accept it on http://localhost).',
  ),

  ARGON2_MEMORY_KIB: envInt(19_456, 1_024).describe(
    'argon2id memory cost in KiB. The default (19 MiB, with time cost 2 and parallelism 1) is the OWASP minimum recommendation.',
  ),
  ARGON2_TIME_COST: envInt(2, 1).describe('argon2id iterations (OWASP minimum: 2 with 19 MiB).'),
  ARGON2_PARALLELISM: envInt(1, 1).describe('argon2id lanes (OWASP minimum configuration: 1).'),

  LOGIN_LIMIT_PER_ACCOUNT_IP: envInt(5, 1).describe(
    'Failed logins allowed per account and client IP in the window before answering 429; a success resets it.',
  ),
  LOGIN_LIMIT_PER_IP: envInt(100, 1).describe('Failed logins allowed per client IP (any account) in the window.'),
  LOGIN_LIMIT_WINDOW_SECONDS: envInt(900, 1).describe('Window of the failed-login limits, in seconds.'),
  REGISTER_LIMIT_PER_IP: envInt(20, 1).describe('Registration attempts allowed per client IP per hour.'),
  CODE_REQUEST_LIMIT_PER_ACCOUNT: envInt(5, 1).describe(
    'Email-verification and password-reset code requests allowed per account (or email address) in the code window.',
  ),
  CODE_REQUEST_LIMIT_PER_IP: envInt(20, 1).describe('Code requests allowed per client IP in the code window.'),
  CODE_REQUEST_LIMIT_WINDOW_SECONDS: envInt(900, 1).describe('Window of the code request limits, in seconds.'),

  USER_SERVICE_URL: z
    .url()
    .optional()
    .describe(
      'Base URL of the user service, which gets a profile for each new account, and each address confirmation, through the outbox; when unset, those rows stay pending.',
    ),
  CHAT_SERVICE_URL: z
    .url()
    .optional()
    .describe(
      'Base URL of chat-socket, which removes the room memberships of deleted accounts through the outbox; when unset, those rows stay pending.',
    ),
  OUTBOX_RELAY_INTERVAL_MS: envInt(5_000, 50).describe(
    'How often the outbox relay retries undelivered profile provisioning (each row backs off exponentially).',
  ),

  ...mailEnv,

  DB_MIGRATE_ON_START: envBoolean(false).describe(
    'Run database migrations when the service starts (normally a separate `migrate` job does it).',
  ),
});

export type AuthConfig = z.infer<typeof configSchema>;

export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  return loadConfig(configSchema, env);
}
