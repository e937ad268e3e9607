import { z } from 'zod';
import { SEARCH_LANGUAGES } from '@parley/chat-store';
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
  messageQueueEnv,
} from '@parley/config';

/** Every environment variable the chat-socket service reads. */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: envPort(8083).describe('TCP port of the chat-socket HTTP and WebSocket server.'),
  ...metricsEnv(DEFAULT_METRICS_PORTS['chat-socket']),
  ...databaseEnv,
  ...redisEnv,
  ...messageQueueEnv,
  ...corsEnv,
  ...tokenEnv,
  JWKS_URL: z
    .url()
    .default('http://127.0.0.1:8081/.well-known/jwks.json')
    .describe('JWKS of the auth service: the public keys that verify access tokens (HTTP and socket handshake).'),
  USER_SERVICE_URL: z
    .url()
    .default('http://127.0.0.1:8082')
    .describe('Base URL of the user service, for its internal block and friend-id endpoints.'),
  ...internalEnv,
  ADMIN_API_TOKEN: z
    .string()
    .min(16)
    .optional()
    .describe('Bearer token of the operator endpoints under /admin/v1 (socket count, shedding); they are disabled when unset.'),
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .describe(
      'A streaming replica of DATABASE_URL that room history reads go to (pages, sync); unset: they go to DATABASE_URL. Messages a replica has not replayed yet still appear, from the recent window in Redis (RECENT_WINDOW_SIZE). While the replica is unreachable, history reads go to DATABASE_URL.',
    ),
  DB_MIGRATE_ON_START: envBoolean(false).describe(
    'Run pending chat schema migrations when the service starts (otherwise run `migrate` as a separate job).',
  ),
  SOCKET_ADAPTER: z
    .enum(['sharded', 'classic'])
    .default('sharded')
    .describe('socket.io Redis adapter: `sharded` (Redis 7 sharded pub/sub, per-room channels) or `classic` (one pub/sub channel).'),
  SEND_RATE_PER_SECOND: envInt(10, 1).describe('Messages one user may send per second, across all pods (token bucket refill rate).'),
  MESSAGE_EDIT_WINDOW_SECONDS: envInt(86_400, 0).describe('How long after sending an author may edit a message, in seconds (0: no limit).'),
  MESSAGE_DELETE_WINDOW_SECONDS: envInt(0, 0).describe(
    'How long after sending an author may delete a message, in seconds (0: no limit). Room owners and admins may delete any message at any time.',
  ),
  SEND_BURST: envInt(20, 1).describe('Messages one user may send in a burst (token bucket size).'),
  SEND_BATCH_MAX_WAIT_MS: envInt(12, 0).describe(
    'Shortest time between two send batch starts of a pod (per message queue shard), so the longest a message waits for companions: a send on a quiet pod starts a batch at once; under load each batch carries a whole window of messages (fewer, larger persistence jobs, less CPU per message).',
  ),
  HEAP_GROWING_PERCENT: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000)
    .default(100)
    .describe(
      "How far V8's old generation may grow past the heap that survived the last major GC before the next one starts, in percent (0 = V8's own heuristics). Fewer major GCs, each a delivery stall on a busy pod, for up to (1 + value/100) × the live heap in memory.",
    ),
  SEND_BATCH_MAX_SIZE: envInt(100, 1).describe('Most messages accepted (and enqueued as one persistence job) per batch.'),
  SEND_MERGE_MAX_MESSAGES: envInt(500, 0).describe(
    'A send batch joins the persistence job still waiting in its queue (no worker has taken it yet) while that job holds fewer accepted messages than this, instead of adding a job of its own: when the worker lags, it gets fewer, larger jobs. 0 = one job per batch.',
  ),
  IDEMPOTENCY_TTL_SECONDS: envInt(86_400, 60).describe(
    'How long a (sender, clientMsgId) pair is remembered, so a retried send returns the same message.',
  ),
  MESSAGE_DURABILITY: z
    .enum(['fsync', 'replicas', 'none'])
    .default('fsync')
    .describe(
      'What an acknowledged message has survived. `fsync`: Redis wrote it to its append-only file and fsynced it before answering, which Redis does only with `appendonly yes` and `appendfsync always` (checked at start and on every reconnection: a warning, `parley_message_durability_guaranteed` 0 and /readyz info otherwise). `replicas`: REDIS_WAIT_REPLICAS replicas confirmed it (WAIT); a batch not confirmed within REDIS_WAIT_TIMEOUT_MS is answered `unavailable` (a retry returns it once confirmed). `none`: Redis applied it, nothing more. See docs/decisions/0003-acknowledgement-durability.md.',
    ),
  REDIS_WAIT_REPLICAS: envInt(1, 1).describe('With MESSAGE_DURABILITY=replicas: replicas that must confirm an accepted batch before it is acknowledged (Redis WAIT).'),
  REDIS_WAIT_TIMEOUT_MS: envInt(100, 1).describe('With MESSAGE_DURABILITY=replicas: longest wait for the replicas per batch.'),
  RECENT_WINDOW_SIZE: envInt(500, 10).describe(
    'Messages kept per room in Redis, so acknowledged messages are in history before the persistence worker stores them.',
  ),
  PRESENCE_TTL_SECONDS: envInt(45, 1).describe(
    'Lease of a socket in the presence set; heartbeats renew it every third of this, and users of a crashed pod go offline after it.',
  ),
  TYPING_TIMEOUT_MS: envInt(5_000, 100).describe('A typing indicator not renewed for this long is turned off by the server.'),
  SOCKET_EVENTS_PER_SECOND: envInt(30, 1).describe('Events one socket may send per second (local token bucket over all events).'),
  SOCKET_EVENT_BURST: envInt(60, 1).describe('Events one socket may send in a burst.'),
  SOCKET_FLOOD_DISCONNECT_AFTER: envInt(50, 1).describe(
    'Dropped (over-limit) events within 10 s after which the socket is disconnected.',
  ),
  REDIS_COMMAND_TIMEOUT_MS: envInt(2_000, 100).describe(
    'A Redis command of a request (a send, its idempotency check, presence) not answered within this fails (`unavailable`, which clients retry) instead of waiting: a silent network partition resets nothing, so without it a send would wait forever. Also the timeout of the probe that tells whether this pod reaches Redis.',
  ),
  REDIS_PARTITION_SHED_AFTER_MS: envInt(15_000, 0).describe(
    'How long this pod may fail to reach Redis (it acknowledges no message meanwhile, and /readyz answers 503) before it tells its sockets to reconnect elsewhere (`server:reconnect`, reason `redis-partition`) and refuses new ones until Redis answers again (0: never). See docs/decisions/0031-redis-partition-behaviour.md.',
  ),
  SEARCH_LANGUAGE: z
    .enum(SEARCH_LANGUAGES)
    .default('simple')
    .describe(
      "PostgreSQL text-search configuration of message search. `simple` (lower-cased words, no stemming, no stop words) works for every language; a language's own (e.g. `english`) stems and drops its stop words. Each has its own GIN index, which `migrate` creates (see docs/decisions/0032-message-search.md).",
    ),
  RECONNECT_JITTER_MS: envInt(5_000, 0).describe(
    'Upper bound of the random delay told to clients in `server:reconnect` (shutdown and shedding) and `server:resync` (after the adapter reconnected to Redis), to spread reconnects and resyncs.',
  ),
  ...dataDirEnv,
  // Attachments (docs/decisions/0036-attachments.md).
  ATTACHMENT_MAX_BYTES: envInt(10 * 1024 * 1024, 1).describe('Largest file one upload may carry, in bytes (larger: 413, whether announced by Content-Length or streamed).'),
  ATTACHMENT_STORAGE: z
    .enum(['local', 's3'])
    .default('local')
    .describe('Where attachment files are kept: `local` (ATTACHMENT_DIR; every pod must see the same directory) or `s3` (an S3-compatible bucket).'),
  ATTACHMENT_DIR: z
    .string()
    .min(1)
    .optional()
    .describe('With ATTACHMENT_STORAGE=local: the directory of the files (default: `attachments` in DATA_DIR).'),
  ATTACHMENT_S3_BUCKET: z.string().min(3).max(63).optional().describe('With ATTACHMENT_STORAGE=s3: the bucket (required then).'),
  ATTACHMENT_S3_ENDPOINT: z.url().optional().describe('With ATTACHMENT_STORAGE=s3: endpoint of an S3-compatible server (MinIO, Ceph…); unset for AWS S3.'),
  ATTACHMENT_S3_REGION: z.string().min(1).default('us-east-1').describe('With ATTACHMENT_STORAGE=s3: the region.'),
  ATTACHMENT_S3_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe("With ATTACHMENT_STORAGE=s3: access key id; unset to use the SDK's default credential chain (instance role, web identity)."),
  ATTACHMENT_S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('With ATTACHMENT_STORAGE=s3: secret access key (with ATTACHMENT_S3_ACCESS_KEY_ID).'),
  ATTACHMENT_S3_FORCE_PATH_STYLE: envBoolean(false).describe('With ATTACHMENT_STORAGE=s3: address the bucket in the path (most self-hosted S3 servers need it).'),
  ATTACHMENT_URL_SECRET: z
    .string()
    .min(32)
    .optional()
    .describe(
      'HMAC key of signed download URLs; every pod must share it. Unset: a random key per process (a single process only: another pod refuses its URLs with 403).',
    ),
  ATTACHMENT_URL_TTL_SECONDS: envInt(300, 1).describe('How long a signed download URL works, in seconds.'),
  ATTACHMENT_DELETE_GRACE_SECONDS: envInt(3_600, 0).describe('How long the files of a deleted message are kept before they are deleted, in seconds.'),
  ATTACHMENT_UNSENT_TTL_SECONDS: envInt(86_400, 1).describe('How long an upload no message carries is kept before it is deleted, in seconds.'),
});

export type ChatSocketConfig = z.infer<typeof configSchema>;

export function loadChatSocketConfig(env: Record<string, string | undefined> = process.env): ChatSocketConfig {
  return loadConfig(configSchema, env);
}
