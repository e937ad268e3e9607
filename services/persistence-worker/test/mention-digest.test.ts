import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_TOKEN_HEADER, type MailProfile, type Message } from '@parley/contracts';
import { presenceKey } from '@parley/keyspace';
import { readFileMailbox, type MailboxMessage } from '@parley/mail';
import { jobOptionsFor, openQueue } from '@parley/queues';
import { TEST_REDIS_URL } from '@parley/testing';
import { sampleValue } from './support/prometheus-text.js';
import { createRoom, createWorkerTestEnv, makeMessage, startWorker, TestProducer, waitFor, type RunningWorker, type WorkerTestEnv } from './support/worker-harness.js';

/**
 * Mention digests end to end: the worker persists a batch, records the mentions of offline
 * members, closes each window with a delayed job and queues one email, which its own mail worker
 * writes to the file mailbox. The user service is a stand-in answering its two internal endpoints.
 */
const WINDOW_SECONDS = 2;
const TOKEN = 'digest-test-internal-token';

let env: WorkerTestEnv;
let producer: TestProducer;
let redis: Redis;
let dataDir: string;
let users: Server;
let usersUrl: string;
let running: RunningWorker | undefined;
const profiles = new Map<string, MailProfile>();
const blocks = new Map<string, string[]>();
const unauthorisedCalls: string[] = [];
/** Answers this many mail-profile lookups with 503 (the user service is down). */
let failingLookups = 0;

const mailbox = () => join(dataDir, 'mailbox');
const mailTo = (email: string): Promise<MailboxMessage[]> => readFileMailbox(mailbox(), email);

beforeAll(async () => {
  env = await createWorkerTestEnv('pw_digest');
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

async function start(overrides: Record<string, string> = {}): Promise<RunningWorker> {
  running = await startWorker(digestConfig(overrides));
  return running;
}

/** A user the stand-in user service knows, with a confirmed address. */
function person(username: string, extra: Partial<MailProfile> = {}): MailProfile & { email: string } {
  const profile = { id: randomUUID(), username, displayName: null, email: `${username}@example.test`, emailVerified: true, mentionDigest: true, ...extra };
  profiles.set(profile.id, profile);
  return profile as MailProfile & { email: string };
}

const online = (userId: string) => redis.zadd(presenceKey(env.prefix, userId), Date.now() + 120_000, `socket-${randomUUID()}`);

const mention = (roomId: string, senderId: string, mentioned: string[], body: string): Message => makeMessage(roomId, senderId, { body, mentions: mentioned });

interface DigestRow {
  message_id: string;
  digest_window: string | null;
  settled_at: Date | null;
}
const digestRows = (userId: string): Promise<DigestRow[]> =>
  env.dataSource.query('SELECT message_id, digest_window, settled_at FROM chat.mention_digest_items WHERE user_id = $1 ORDER BY message_id', [userId]);

/** Every job of both queues has run, delayed digest jobs included. */
async function settled(): Promise<void> {
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

async function digestMetric(worker: RunningWorker, outcome: string): Promise<number> {
  const body = await (await fetch(`${worker.adminUrl}/metrics`)).text();
  return sampleValue(body, 'parley_mention_digests_total', { outcome }) ?? 0;
}

describe('mention digest', () => {
  it('mails an offline member one digest listing both mentions of the window, with room, author, excerpt and link', async () => {
    const worker = await start();
    const author = person('ada', { displayName: 'Ada Lovelace' });
    const away = person('away_one');
    const room = await createRoom(env.dataSource, [author.id, away.id]);
    const first = mention(room, author.id, [away.id], `@away_one the build is green ${'x'.repeat(300)}`);
    const second = mention(room, author.id, [away.id], '@away_one can you review <b>this</b>?');

    await producer.enqueueBatch([first]);
    await producer.enqueueBatch([second]);

    const [mail] = await waitFor(async () => {
      const found = await mailTo(away.email);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the digest');
    await settled();

    expect(await mailTo(away.email)).toHaveLength(1);
    expect(mail).toMatchObject({ kind: 'mention-digest', subject: 'You were mentioned 2 times on Parley' });
    expect(mail!.html).toBeUndefined();
    expect(mail!.text).toContain('Ada Lovelace in #test room');
    expect(mail!.text).toContain('@away_one the build is green');
    expect(mail!.text).toContain('"@away_one can you review <b>this</b>?"');
    expect(mail!.text).toContain(`https://chat.example.test/rooms/${room}`);
    // The long body is cut to an excerpt.
    expect(mail!.text).not.toContain('x'.repeat(200));
    expect((await digestRows(away.id)).every((row) => row.settled_at !== null)).toBe(true);
    expect(await digestMetric(worker, 'sent')).toBe(1);
    expect(unauthorisedCalls).toEqual([]);
  });

  it('mails nobody who was online when mentioned, while an offline member of the same message gets theirs', async () => {
    await start();
    const author = person('bea');
    const here = person('here_now');
    const gone = person('gone_now');
    await online(here.id);
    const room = await createRoom(env.dataSource, [author.id, here.id, gone.id]);

    await producer.enqueueBatch([mention(room, author.id, [here.id, gone.id], '@here_now @gone_now standup?')]);

    await waitFor(async () => (await mailTo(gone.email)).length === 1, 20_000, 'the offline member’s digest');
    await settled();
    expect(await mailTo(here.email)).toEqual([]);
    expect(await digestRows(here.id)).toEqual([]);
  });

  it('drops a mention the member read before the window closed, and mails nothing when none is left', async () => {
    const worker = await start({ MENTION_DIGEST_WINDOW_SECONDS: '3' });
    const author = person('cyd');
    const reader = person('reader');
    const partial = person('partial_reader');
    const room = await createRoom(env.dataSource, [author.id, reader.id, partial.id]);
    const early = mention(room, author.id, [reader.id, partial.id], '@reader @partial_reader first');
    const late = mention(room, author.id, [partial.id], '@partial_reader second');

    await producer.enqueueBatch([early, late]);
    await waitFor(async () => (await digestRows(partial.id)).length === 2 && (await digestRows(reader.id)).length === 1, 15_000, 'the pending mentions');
    // Both read the first message in the app before the window closes.
    await env.dataSource.query('UPDATE chat.room_members SET last_read_message_id = $2 WHERE room_id = $1 AND user_id = ANY($3::uuid[])', [
      room,
      early.id,
      [reader.id, partial.id],
    ]);

    const [mail] = await waitFor(async () => {
      const found = await mailTo(partial.email);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the partial reader’s digest');
    await waitFor(async () => (await digestRows(reader.id)).every((row) => row.settled_at !== null), 20_000, 'the reader’s window to close');
    await settled();

    expect(mail!.subject).toBe('You were mentioned on Parley');
    expect(mail!.text).toContain('second');
    expect(mail!.text).not.toContain('first');
    expect(await mailTo(reader.email)).toEqual([]);
    expect(await digestMetric(worker, 'skipped_nothing_unread')).toBe(1);
  });

  it('sends exactly one email when the worker restarts while the window is open', async () => {
    const author = person('dee');
    const sleeper = person('sleeper');
    const room = await createRoom(env.dataSource, [author.id, sleeper.id]);
    await start({ MENTION_DIGEST_WINDOW_SECONDS: '4' });

    await producer.enqueueBatch([mention(room, author.id, [sleeper.id], '@sleeper before the restart')]);
    await waitFor(async () => (await digestRows(sleeper.id)).length === 1, 15_000, 'the pending mention');
    await running!.stop();
    expect(await mailTo(sleeper.email)).toEqual([]);

    await start({ MENTION_DIGEST_WINDOW_SECONDS: '4' });
    await producer.enqueueBatch([mention(room, author.id, [sleeper.id], '@sleeper after the restart')]);

    const [mail] = await waitFor(async () => {
      const found = await mailTo(sleeper.email);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the digest');
    await settled();
    expect(await mailTo(sleeper.email)).toHaveLength(1);
    expect(mail!.text).toContain('before the restart');
    expect(mail!.text).toContain('after the restart');
  });

  it('never mails a window twice, even when its job runs again after the email was queued but before its rows were settled, and leaves later mentions to the next window', async () => {
    await start();
    const author = person('eve');
    const target = person('target');
    const room = await createRoom(env.dataSource, [author.id, target.id]);
    await producer.enqueueBatch([mention(room, author.id, [target.id], '@target first-window')]);
    await waitFor(async () => (await mailTo(target.email)).length === 1, 20_000, 'the digest');
    await settled();
    const [row] = await digestRows(target.id);

    // As if the worker died right after queuing the email: rows unsettled, the job run again;
    // meanwhile a new mention arrived, which belongs to the next window.
    await env.dataSource.query('UPDATE chat.mention_digest_items SET settled_at = NULL WHERE user_id = $1', [target.id]);
    await producer.enqueueBatch([mention(room, author.id, [target.id], '@target second-window')]);
    await waitFor(async () => (await digestRows(target.id)).length === 2, 15_000, 'the later mention');
    const jobId = `mention-digest-${target.id}-${row!.digest_window}`;
    await (await producer.notifications.getJob(jobId))?.remove();
    await producer.notifications.add('mention_digest', { kind: 'mention_digest', userId: target.id, windowId: row!.digest_window! }, { ...jobOptionsFor('notifications'), jobId });
    await waitFor(async () => (await digestRows(target.id)).every((digest) => digest.settled_at !== null), 20_000, 'both windows to close');
    await settled();

    const mails = await mailTo(target.email);
    expect(mails).toHaveLength(2);
    expect(mails[0]!.text).toContain('first-window');
    expect(mails[1]!.text).toContain('second-window');
    expect(mails[1]!.text).not.toContain('first-window');
    expect(new Set((await digestRows(target.id)).map((digest) => digest.digest_window)).size).toBe(2);
  });

  it('follows the notification rules: no digest for a non-member, from a blocked author, to an opted-out user or to a user without an address', async () => {
    const worker = await start();
    const author = person('fay');
    const outsider = person('outsider');
    const blocker = person('blocker');
    const optedOut = person('quiet', { mentionDigest: false });
    const unprovisioned = person('no_mail', { email: null });
    const control = person('control');
    blocks.set(blocker.id, [author.id]);
    const room = await createRoom(env.dataSource, [author.id, blocker.id, optedOut.id, unprovisioned.id, control.id]);

    await producer.enqueueBatch([
      mention(room, author.id, [outsider.id, blocker.id, optedOut.id, unprovisioned.id, control.id], '@outsider @blocker @quiet @no_mail @control hi'),
    ]);

    await waitFor(async () => (await mailTo(control.email)).length === 1, 20_000, 'the control user’s digest');
    await waitFor(async () => {
      const rows = await Promise.all([blocker, optedOut, unprovisioned].map((user) => digestRows(user.id)));
      return rows.every((list) => list.length === 1 && list[0]!.settled_at !== null);
    }, 20_000, 'the other windows to close');
    await settled();

    for (const user of [outsider, blocker, optedOut]) expect(await mailTo(user.email)).toEqual([]);
    expect(await digestRows(outsider.id)).toEqual([]);
    expect(await digestMetric(worker, 'skipped_nothing_unread')).toBe(1);
    expect(await digestMetric(worker, 'skipped_opted_out')).toBe(1);
    expect(await digestMetric(worker, 'skipped_no_address')).toBe(1);
    expect(await digestMetric(worker, 'sent')).toBe(1);
  });

  it('mails only a confirmed address: none before confirmation, the next window after it, and none to a changed address until it is confirmed too', async () => {
    const worker = await start();
    const author = person('hal');
    const unsure = person('unsure', { emailVerified: false });
    const oldAddress = unsure.email;
    const newAddress = 'unsure.moved@example.test';
    const room = await createRoom(env.dataSource, [author.id, unsure.id]);
    let mentioned = 0;
    /** Mentions `unsure` once and waits until that mention's window has closed. */
    const mentionAndClose = async (body: string) => {
      await producer.enqueueBatch([mention(room, author.id, [unsure.id], body)]);
      mentioned += 1;
      await waitFor(async () => {
        const rows = await digestRows(unsure.id);
        return rows.length === mentioned && rows.every((row) => row.settled_at !== null);
      }, 20_000, `the window of "${body}" to close`);
      await settled();
    };

    await mentionAndClose('@unsure before confirming');
    expect(await mailTo(oldAddress)).toEqual([]);
    expect(await digestMetric(worker, 'skipped_unconfirmed_address')).toBe(1);

    profiles.set(unsure.id, { ...unsure, emailVerified: true });
    await mentionAndClose('@unsure after confirming');
    const confirmed = await mailTo(oldAddress);
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]!.text).toContain('after confirming');
    // The unconfirmed window's mention is dropped, not mailed late.
    expect(confirmed[0]!.text).not.toContain('before confirming');

    profiles.set(unsure.id, { ...unsure, email: newAddress, emailVerified: false });
    await mentionAndClose('@unsure after moving');
    expect(await mailTo(newAddress)).toEqual([]);
    expect(await mailTo(oldAddress)).toHaveLength(1);
    expect(await digestMetric(worker, 'skipped_unconfirmed_address')).toBe(2);

    profiles.set(unsure.id, { ...unsure, email: newAddress, emailVerified: true });
    await mentionAndClose('@unsure new address confirmed');
    const moved = await mailTo(newAddress);
    expect(moved).toHaveLength(1);
    expect(moved[0]!.text).toContain('new address confirmed');
    expect(await mailTo(oldAddress)).toHaveLength(1);
    expect(await digestMetric(worker, 'sent')).toBe(2);
  }, 60_000);

  it('retries a window while the user service cannot answer, then mails it once', async () => {
    await start();
    const author = person('jon');
    const patient = person('patient');
    const room = await createRoom(env.dataSource, [author.id, patient.id]);
    failingLookups = 2;

    await producer.enqueueBatch([mention(room, author.id, [patient.id], '@patient eventually')]);

    await waitFor(async () => (await mailTo(patient.email)).length === 1, 30_000, 'the digest after the outage');
    await settled();
    expect(failingLookups).toBe(0);
    expect(await mailTo(patient.email)).toHaveLength(1);
  });

  it('keeps line breaks and direction characters of a message and of names out of the email', async () => {
    await start();
    const author = person('gus', { displayName: 'Gus\u202E\nSubject: forged' });
    const target = person('plain_text');
    const room = await createRoom(env.dataSource, [author.id, target.id]);

    await producer.enqueueBatch([mention(room, author.id, [target.id], '@plain_text line one\r\nFrom: someone\telse \u2066hidden\u2069')]);

    const [mail] = await waitFor(async () => {
      const found = await mailTo(target.email);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the digest');
    expect(mail!.text).toContain('Gus Subject: forged in #test room');
    expect(mail!.text).toContain('"@plain_text line one From: someone else hidden"');
    expect(mail!.text).not.toMatch(/[\u202E\u2066\u2069\r\t]/);
    expect(mail!.text).not.toMatch(/^From: /m);
  });
});

describe('mention digest turned off', () => {
  it('records no pending mention when MENTION_DIGEST_WINDOW_SECONDS is 0', async () => {
    await start({ MENTION_DIGEST_WINDOW_SECONDS: '0' });
    const author = person('hal');
    const target = person('not_mailed');
    const room = await createRoom(env.dataSource, [author.id, target.id]);
    const message = mention(room, author.id, [target.id], '@not_mailed hello');

    await producer.enqueueBatch([message]);
    await waitFor(async () => {
      const rows: unknown[] = await env.dataSource.query(`SELECT 1 FROM chat.notifications WHERE user_id = $1 AND kind = 'mention'`, [target.id]);
      return rows.length === 1;
    }, 15_000, 'the in-app mention');
    await settled();

    expect(await digestRows(target.id)).toEqual([]);
    expect(await mailTo(target.email)).toEqual([]);
  });
  it('drops the mentions of a window that closes after digests were turned off, and mails later windows once they are on again', async () => {
    const author = person('ivy');
    const target = person('switched');
    const room = await createRoom(env.dataSource, [author.id, target.id]);
    await start({ MENTION_DIGEST_WINDOW_SECONDS: '3' });
    await producer.enqueueBatch([mention(room, author.id, [target.id], '@switched while digests were on')]);
    await waitFor(async () => (await digestRows(target.id)).length === 1, 15_000, 'the pending mention');
    await running!.stop();

    await start({ MENTION_DIGEST_WINDOW_SECONDS: '0' });
    await waitFor(async () => (await digestRows(target.id)).every((row) => row.settled_at !== null), 20_000, 'the window to close');
    await settled();
    expect(await mailTo(target.email)).toEqual([]);
    await running!.stop();

    await start();
    await producer.enqueueBatch([mention(room, author.id, [target.id], '@switched after they came back')]);
    const [mail] = await waitFor(async () => {
      const found = await mailTo(target.email);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the next digest');
    expect(mail!.text).toContain('after they came back');
    expect(mail!.text).not.toContain('while digests were on');
  });
});
