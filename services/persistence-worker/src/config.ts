import { z } from 'zod';
import { databaseEnv, envInt, envPort, loadConfig, redisEnv, serviceEnv, metricsEnv, DEFAULT_METRICS_PORTS, dataDirEnv, mailEnv, messageQueueEnv, internalEnv, ConfigError } from '@parley/config';
import { createMessageKeyLayout, parseShardSelection, type MessageKeyLayout } from '@parley/queues';

/** Every variable the persistence worker reads; `npm run docs:config` renders the table from these. */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: envPort(8084).describe('HTTP port of the persistence worker (only /healthz and /readyz; /metrics is on METRICS_PORT).'),
  ...metricsEnv(DEFAULT_METRICS_PORTS['persistence-worker']),
  ...databaseEnv,
  ...redisEnv,
  ...messageQueueEnv,
  WORKER_QUEUE_SHARDS: z
    .string()
    .default('all')
    .describe(
      'Shards of the `messages` queue this process consumes: `all`, or shards and ranges below MESSAGE_QUEUE_SHARDS (`0-3`, `0,2,5-7`). Every shard needs a consumer somewhere; queues of an earlier shard count are drained by every process whatever this says.',
    ),
  MESSAGE_QUEUE_DISCOVERY_INTERVAL_MS: envInt(30_000, 100).describe(
    'How often the worker looks for queues of another shard count that hold jobs (left by a reshard, or by pods still on the previous count) and starts draining them.',
  ),

  MESSAGES_CONCURRENCY: envInt(4, 1).describe(
    'Jobs of the `messages` queue (each a batch of messages) one process takes at once, shared out over the shards it consumes (at least one per shard); the messages of the jobs it holds are stored together, one INSERT per store round.',
  ),
  MESSAGES_ROUND_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(0)
    .describe(
      'Shortest time between the starts of two store rounds: jobs taken within it wait and share one INSERT (a round still starts at once when MESSAGES_CONCURRENCY jobs wait, or on a worker idle for a whole window). Fewer statements for PostgreSQL at moderate load (10 ms: 15–25 % less PostgreSQL CPU at 1,000–2,000 msg/s in docs/performance.md), for up to this much more persistence lag; acks never wait for it. 0 starts a round as soon as the previous one ends.',
    ),
  MESSAGES_JOB_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000)
    .default(0)
    .describe(
      'Shortest time between two jobs taken from one `messages` queue, across all workers (BullMQ\'s rate limiter). Jobs wait in Redis meanwhile, and send batches join the waiting one (SEND_MERGE_MAX_MESSAGES), so the tier handles fewer, larger jobs: less CPU per message in the worker, PostgreSQL and Redis, for up to this much more persistence lag; acks never wait for it. Keep it below a job\'s SEND_MERGE_MAX_MESSAGES divided by the queue\'s message rate. 0 takes jobs as fast as the worker can.',
    ),
  NOTIFICATIONS_CONCURRENCY: envInt(4, 1).describe('Jobs of the `notifications` queue one process handles in parallel.'),
  STALLED_INTERVAL_MS: envInt(30_000, 100).describe(
    'How often workers look for stalled jobs (active jobs whose lock expired because their worker died) and put them back in the queue.',
  ),
  LOCK_DURATION_MS: envInt(30_000, 200).describe(
    'Lock held on an active job, renewed at half this interval while the worker lives; after a crash the job is recovered once it lapses.',
  ),

  MESSAGE_RETENTION_DAYS: envInt(0, 0).describe(
    'Messages are kept this many days, then dropped a whole weekly partition of `chat.messages` at a time (with their reactions and revisions); 0 keeps them forever. Values 1–6 still keep the current week.',
  ),
  PARTITION_MAINTENANCE_INTERVAL_MS: envInt(3_600_000, 1_000).describe(
    'How often the worker creates the partitions of `chat.messages` for the coming weeks and drops those past MESSAGE_RETENTION_DAYS (also once at start).',
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
  const config = loadConfig(configSchema, env);
  const selection = parseShardSelection(config.WORKER_QUEUE_SHARDS, config.MESSAGE_QUEUE_SHARDS);
  if ('problem' in selection) throw new ConfigError([`WORKER_QUEUE_SHARDS: ${selection.problem}`]);
  return config;
}

/** The shards of the `messages` queue this process consumes (WORKER_QUEUE_SHARDS, validated at load). */
export function consumedShards(config: PersistenceWorkerConfig): number[] {
  const selection = parseShardSelection(config.WORKER_QUEUE_SHARDS, config.MESSAGE_QUEUE_SHARDS);
  return 'shards' in selection ? selection.shards : [];
}

/**
 * Where the message path's keys of each shard live (MESSAGE_SHARD_KEYS): a shard's queue, and
 * the accepted hashes and ledger its jobs finish, are under that shard's prefix; presence and
 * the queue registry stay under the install prefix.
 */
export function messageKeyLayoutOf(config: PersistenceWorkerConfig): MessageKeyLayout {
  return createMessageKeyLayout(config.REDIS_KEY_PREFIX, config.MESSAGE_QUEUE_SHARDS, config.MESSAGE_SHARD_KEYS);
}

/** The file mailbox directory when no SMTP server is configured. */
