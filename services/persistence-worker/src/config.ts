import { z } from 'zod';
import { databaseEnv, envBoolean, envInt, envPort, loadConfig, redisEnv, serviceEnv, metricsEnv, DEFAULT_METRICS_PORTS } from '@parley/config';

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

  MAIL_WORKER_ENABLED: envBoolean(true).describe('Run the `mail` queue worker in this process.'),
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
  DATA_DIR: z
    .string()
    .min(1)
    .default('./.parley-data')
    .describe('Directory for local state; the file mailbox defaults to a folder in it.'),

  PERSIST_TEST_DELAY_MS: envInt(0, 0).describe(
    'Tests only: pause this long before and again after writing each message batch, so a test can kill the worker mid-job. Keep 0 in production.',
  ),
});

export type PersistenceWorkerConfig = z.infer<typeof configSchema>;

export function loadPersistenceWorkerConfig(env: Record<string, string | undefined> = process.env): PersistenceWorkerConfig {
  return loadConfig(configSchema, env);
}

/** The file mailbox directory when no SMTP server is configured. */
export function mailboxDir(config: Pick<PersistenceWorkerConfig, 'MAILBOX_DIR' | 'DATA_DIR'>): string {
  return config.MAILBOX_DIR ?? `${config.DATA_DIR}/mailbox`;
}
