import { z } from 'zod';
import { databaseEnv, envInt, envPort, loadConfig, redisEnv, serviceEnv, metricsEnv, DEFAULT_METRICS_PORTS, dataDirEnv, mailEnv, internalEnv } from '@parley/config';

/** Every variable the persistence worker reads; `npm run docs:config` renders the table from these. */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: envPort(8084).describe('HTTP port of the persistence worker (only /healthz and /readyz; /metrics is on METRICS_PORT).'),
  ...metricsEnv(DEFAULT_METRICS_PORTS['persistence-worker']),
  ...databaseEnv,
  ...redisEnv,

  MESSAGES_CONCURRENCY: envInt(4, 1).describe(
    'Jobs of the `messages` queue (each a batch of messages) one process persists in parallel.',
  ),
  NOTIFICATIONS_CONCURRENCY: envInt(4, 1).describe('Jobs of the `notifications` queue one process handles in parallel.'),
  STALLED_INTERVAL_MS: envInt(30_000, 100).describe(
    'How often workers look for stalled jobs (active jobs whose lock expired because their worker died) and put them back in the queue.',
  ),
  LOCK_DURATION_MS: envInt(30_000, 200).describe(
    'Lock held on an active job, renewed at half this interval while the worker lives; after a crash the job is recovered once it lapses.',
  ),

  ...mailEnv,
  ...dataDirEnv,

  MENTION_DIGEST_WINDOW_SECONDS: envInt(900, 0).describe(
    'Mentions of a member who was offline are mailed as one digest per window of this length (from the first mention of the window); 0 turns digests off. Needs USER_SERVICE_URL (addresses, names, the opt-out).',
  ),
  MENTION_DIGEST_MAX_ITEMS: envInt(10, 1).describe('Mentions one digest email lists; it counts the rest.'),
  USER_SERVICE_URL: z
    .url()
    .optional()
    .describe('Base URL of the user service, for the mention digest (recipient address, display names, opt-out, blocks). Unset: no digests.'),
  ...internalEnv,
  PUBLIC_URL: z
    .url()
    .default('http://localhost:8080')
    .describe('Public origin of the web client: the links in mention digest emails point there.'),

  PERSIST_TEST_DELAY_MS: envInt(0, 0).describe(
    'Tests only: pause this long before and again after writing each message batch, so a test can kill the worker mid-job. Keep 0 in production.',
  ),
});

export type PersistenceWorkerConfig = z.infer<typeof configSchema>;

export function loadPersistenceWorkerConfig(env: Record<string, string | undefined> = process.env): PersistenceWorkerConfig {
  return loadConfig(configSchema, env);
}

/** The file mailbox directory when no SMTP server is configured. */
