import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { INTERNAL_TOKEN_HEADER, type MailProfile, type Message } from '@parley/contracts';
import { presenceKey } from '@parley/keyspace';
import { readFileMailbox, type MailboxMessage } from '@parley/mail';
import { openQueue } from '@parley/queues';
import { TEST_REDIS_URL } from '@parley/testing';
import { sampleValue } from './prometheus-text.js';
import { createWorkerTestEnv, makeMessage, startWorker, TestProducer, waitFor, type RunningWorker, type WorkerTestEnv } from './worker-harness.js';

/**
 * The rig of the mention digest tests: the worker on a throwaway database and key prefix, its
 * own mail worker writing to a file mailbox, and a stand-in of the user service answering its two
 * internal endpoints (mail profiles and blocks) from `profiles` and `blocks`.
 */
export const WINDOW_SECONDS = 2;
const TOKEN = 'digest-test-internal-token';

export let env: WorkerTestEnv;
export let producer: TestProducer;
export let redis: Redis;
let dataDir: string;
let users: Server;
let usersUrl: string;
let running: RunningWorker | undefined;
export const profiles = new Map<string, MailProfile>();
export const blocks = new Map<string, string[]>();
export const unauthorisedCalls: string[] = [];
/** Answers this many mail-profile lookups with 503 (the user service is down). */
let failingLookups = 0;

const mailbox = () => join(dataDir, 'mailbox');
export const mailTo = (email: string): Promise<MailboxMessage[]> => readFileMailbox(mailbox(), email);

/** Registers the rig's hooks in the calling test file (`label` names its database). */
export function installMentionDigestRig(label: string): void {
  beforeAll(async () => {
    env = await createWorkerTestEnv(label);
    producer = new TestProducer(env.prefix);
    redis = new Redis(TEST_REDIS_URL);
    dataDir = await mkdtemp(join(tmpdir(), 'parley-pw-digest-'));
    users = createServer((req, res) => {
      if (req.headers[INTERNAL_TOKEN_HEADER] !== TOKEN) {
        unauthorisedCalls.push(req.url ?? '');
        res.writeHead(401).end();
        return;
      }
      const blocked = /^\/internal\/v1\/users\/([^/]+)\/blocked-ids$/.exec(req.url ?? '');
      if (req.method === 'GET' && blocked) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ userIds: blocks.get(decodeURIComponent(blocked[1]!)) ?? [] }));
        return;
      }
      if (req.method === 'POST' && req.url === '/internal/v1/users/mail-profiles') {
        if (failingLookups > 0) {
          failingLookups -= 1;
          res.writeHead(503).end();
          return;
        }
        let raw = '';
        req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        req.on('end', () => {
          const { userIds } = JSON.parse(raw) as { userIds: string[] };
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ users: userIds.flatMap((id) => (profiles.has(id) ? [profiles.get(id)] : [])) }));
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => users.listen(0, '127.0.0.1', resolve));
    usersUrl = `http://127.0.0.1:${(users.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  afterAll(async () => {
    await running?.stop();
    await producer?.close();
    redis?.disconnect();
    await new Promise<void>((resolve) => (users ? users.close(() => resolve()) : resolve()));
    await rm(dataDir, { recursive: true, force: true });
    await env?.cleanup();
  });
}

const digestConfig = (overrides: Record<string, string> = {}) =>
  env.config({
    MAIL_WORKER_ENABLED: 'true',
    DATA_DIR: dataDir,
    MENTION_DIGEST_WINDOW_SECONDS: String(WINDOW_SECONDS),
    MENTION_DIGEST_MAX_ITEMS: '10',
    USER_SERVICE_URL: usersUrl,
    INTERNAL_API_TOKEN: TOKEN,
    PUBLIC_URL: 'https://chat.example.test/',
    ...overrides,
  });

export async function start(overrides: Record<string, string> = {}): Promise<RunningWorker> {
  running = await startWorker(digestConfig(overrides));
  return running;
}

/** A user the stand-in user service knows, with a confirmed address. */
export function person(username: string, extra: Partial<MailProfile> = {}): MailProfile & { email: string } {
  const profile = { id: randomUUID(), username, displayName: null, email: `${username}@example.test`, emailVerified: true, mentionDigest: true, ...extra };
  profiles.set(profile.id, profile);
  return profile as MailProfile & { email: string };
}

export const online = (userId: string) => redis.zadd(presenceKey(env.prefix, userId), Date.now() + 120_000, `socket-${randomUUID()}`);

export const mention = (roomId: string, senderId: string, mentioned: string[], body: string): Message => makeMessage(roomId, senderId, { body, mentions: mentioned });

export interface DigestRow {
  message_id: string;
  digest_window: string | null;
  settled_at: Date | null;
}
export const digestRows = (userId: string): Promise<DigestRow[]> =>
  env.dataSource.query('SELECT message_id, digest_window, settled_at FROM chat.mention_digest_items WHERE user_id = $1 ORDER BY message_id', [userId]);

/** Every job of both queues has run, delayed digest jobs included. */
export async function settled(): Promise<void> {
  const mail = openQueue('mail', { connection: producer.connection, installPrefix: env.prefix });
  try {
    await waitFor(async () => {
      const counts = await Promise.all([
        producer.messages.getJobCounts('waiting', 'active', 'delayed'),
        producer.notifications.getJobCounts('waiting', 'active', 'delayed'),
        mail.getJobCounts('waiting', 'active', 'delayed'),
      ]);
      return counts.flatMap((count) => Object.values(count)).every((value) => value === 0);
    }, 20_000, 'every queue to drain');
  } finally {
    await mail.close();
  }
}

export async function digestMetric(worker: RunningWorker, outcome: string): Promise<number> {
  const body = await (await fetch(`${worker.adminUrl}/metrics`)).text();
  return sampleValue(body, 'parley_mention_digests_total', { outcome }) ?? 0;
}

/** The next `count` mail-profile lookups answer 503 (the user service is down). */
export function failUserLookups(count: number): void {
  failingLookups = count;
}

/** How many of those failures are still to come. */
export const pendingLookupFailures = (): number => failingLookups;

/** Stops the worker the test started. */
export async function stopWorker(): Promise<void> {
  await running?.stop();
  running = undefined;
}
