import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Message, PersistMessagesJob } from '@parley/contracts';
import { jobOptionsFor, messageShardOf, openQueue } from '@parley/queues';
import {
  createTestDatabase,
  deleteRedisPrefix,
  runScriptToCompletion,
  startServiceProcess,
  TEST_REDIS_URL,
  testRedisPrefix,
  testServiceEnv,
  type ServiceProcess,
} from '@parley/testing';
import { int, markdownTable, textTable } from '../report/format.js';
import type { ScenarioOutput } from '../scenarios/scenario-output.js';

export interface WorkerBenchOptions {
  /** Message jobs enqueued per run (each a batch, as chat-socket's accept script writes them). */
  jobs: number;
  /** Messages per job. */
  batchSize: number;
  rooms: number;
  /** MESSAGE_QUEUE_SHARDS of the run. */
  shards: number;
  /** Worker process counts, one run each. */
  workerCounts: number[];
  /** PostgreSQL server for the throwaway database. */
  postgresServerUrl: string;
  /** Give up on a run after this long. */
  timeoutMs: number;
}

export interface WorkerBenchRun {
  workers: number;
  shards: number;
  messages: number;
  jobs: number;
  seconds: number;
  rowsPerSecond: number;
  /** The machine's 1-minute load average when the run ended (other work on a shared machine). */
  loadAverage: number;
}

export interface WorkerBenchSummary {
  machine: string;
  runs: WorkerBenchRun[];
  completed: boolean;
}

const SERVICES = fileURLToPath(new URL('../../../../services/', import.meta.url));
const WORKER_MAIN = `${SERVICES}persistence-worker/dist/main.js`;

/**
 * `npm run bench:worker`: how many message rows per second the persistence worker stores with
 * 1, 2, 4… processes on a sharded `messages` queue. Per run: a fresh Redis prefix and an empty
 * messages table; the shard queues are paused, the workers started (every process consumes every
 * shard), the jobs enqueued, then the queues resumed and the clock started; it stops when
 * PostgreSQL holds every message. Rooms have no members, so no notification work is mixed in.
 */
export async function runWorkerBenchmark(options: WorkerBenchOptions, output: ScenarioOutput): Promise<WorkerBenchSummary> {
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average at start ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`;
  output.status(`machine: ${machine}`);
  const database = await createTestDatabase('bench_worker', options.postgresServerUrl);
  const db = new pg.Pool({ connectionString: database.url, max: 2 });
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const runs: WorkerBenchRun[] = [];
  let completed = false;
  try {
    const migrated = await runScriptToCompletion(`${SERVICES}chat-socket/dist/migrate.js`, { ...testServiceEnv(database.url, testRedisPrefix('bench_migrate')), LOG_LEVEL: 'warn' });
    if (migrated.code !== 0) throw new Error(`migrate failed:\n${migrated.output}`);
    const roomIds = Array.from({ length: options.rooms }, () => randomUUID());
    await db.query(
      `INSERT INTO chat.rooms (id, kind, name, visibility, created_by, member_count, last_activity_at)
       SELECT r, 'group', 'bench', 'private', $2, 0, now() FROM unnest($1::uuid[]) AS r`,
      [roomIds, randomUUID()],
    );
    for (const workers of options.workerCounts) {
      await db.query('TRUNCATE chat.messages CASCADE');
      const run = await timedRun(options, workers, roomIds, database.url, db, redis, output);
      runs.push(run);
      output.status(`${workers} worker(s), ${run.shards} shard(s): ${int(run.messages)} messages in ${run.seconds.toFixed(2)} s = ${int(run.rowsPerSecond)} rows/s`);
    }
    completed = true;
  } finally {
    redis.disconnect();
    await db.end();
    await database.drop();
  }

  const headers = ['worker processes', 'shards', 'messages', 'jobs', 'seconds', 'rows/s', 'load avg (1 min)'];
  const rows = runs.map((run) => [String(run.workers), String(run.shards), int(run.messages), int(run.jobs), run.seconds.toFixed(2), int(run.rowsPerSecond), run.loadAverage.toFixed(1)]);
  output.line(textTable(headers, rows));
  output.line('');
  output.line(markdownTable(headers, rows));
  const summary = { machine, runs, completed };
  output.line(JSON.stringify({ benchmark: 'worker', ...summary }));
  return summary;
}

/** One run: `workers` processes drain `options.jobs` jobs from `options.shards` queues. */
async function timedRun(
  options: WorkerBenchOptions,
  workers: number,
  roomIds: string[],
  databaseUrl: string,
  db: pg.Pool,
  redis: Redis,
  output: ScenarioOutput,
): Promise<WorkerBenchRun> {
  const prefix = testRedisPrefix('bench_worker');
  const queues = Array.from({ length: options.shards }, (_, shard) => openQueue('messages', { connection: redis, installPrefix: prefix, shard }));
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-bench-worker-'));
  const processes: ServiceProcess[] = [];
  try {
    for (const queue of queues) await queue.pause();
    const env = {
      ...testServiceEnv(databaseUrl, prefix),
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: '10',
      MESSAGE_QUEUE_SHARDS: String(options.shards),
      MAIL_WORKER_ENABLED: 'false',
      DATA_DIR: dataDir,
    };
    for (let index = 0; index < workers; index += 1) processes.push(await startServiceProcess(`persistence-worker-${index}`, WORKER_MAIN, env));

    const jobs = buildJobs(options, roomIds);
    for (const [shard, shardJobs] of jobs) {
      for (let start = 0; start < shardJobs.length; start += 200) {
        await queues[shard]!.addBulk(shardJobs.slice(start, start + 200).map((data) => ({ name: 'persist', data, opts: jobOptionsFor('messages') })));
      }
    }
    const messages = options.jobs * options.batchSize;
    output.status(`${workers} worker(s): ${int(options.jobs)} jobs (${int(messages)} messages) queued over ${options.shards} shard(s); go`);
    const startedAt = performance.now();
    await Promise.all(queues.map((queue) => queue.resume()));
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM chat.messages');
      if (rows[0]!.n >= messages) break;
      if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${messages} messages stored after ${options.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - startedAt) / 1000;
    return { workers, shards: options.shards, messages, jobs: options.jobs, seconds, rowsPerSecond: messages / seconds, loadAverage: loadavg()[0]! };
  } finally {
    for (const process of processes) await process.stop();
    await Promise.all(queues.map((queue) => queue.close()));
    await deleteRedisPrefix(prefix);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The jobs by shard, as chat-socket writes them: each job a batch of messages of rooms of one
 * shard, rooms taken in turn, each room's sequence numbers counting up.
 */
function buildJobs(options: WorkerBenchOptions, roomIds: string[]): Map<number, PersistMessagesJob[]> {
  const roomsByShard = new Map<number, string[]>();
  for (const roomId of roomIds) {
    const shard = messageShardOf(roomId, options.shards);
    const rooms = roomsByShard.get(shard);
    if (rooms) rooms.push(roomId);
    else roomsByShard.set(shard, [roomId]);
  }
  const shards = [...roomsByShard.keys()];
  const seq = new Map<string, number>();
  const sender = randomUUID();
  const base = BigInt(Date.now()) * 4_194_304n;
  let counter = 0n;
  const jobs = new Map<number, PersistMessagesJob[]>();
  for (let index = 0; index < options.jobs; index += 1) {
    const shard = shards[index % shards.length]!;
    const rooms = roomsByShard.get(shard)!;
    const messages: Message[] = [];
    const acceptedAt: Record<string, number> = {};
    for (let n = 0; n < options.batchSize; n += 1) {
      const roomId = rooms[(index * options.batchSize + n) % rooms.length]!;
      const next = (seq.get(roomId) ?? 0) + 1;
      seq.set(roomId, next);
      counter += 1n;
      const now = Date.now();
      const message: Message = { id: String(base + counter), roomId, senderId: sender, clientMsgId: randomUUID(), body: `bench message ${counter}`, createdAt: new Date(now).toISOString(), seq: next };
      messages.push(message);
      acceptedAt[message.id] = now;
    }
    const shardJobs = jobs.get(shard);
    if (shardJobs) shardJobs.push({ messages, acceptedAt });
    else jobs.set(shard, [{ messages, acceptedAt }]);
  }
  return jobs;
}
