import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageSearchResponseSchema, messagesAroundResponseSchema, type Message, type MessageAttachment, type MessageSearchHit } from '@parley/contracts';
import { chooseSearchStrategy, createChatDataSource, searchMessages } from '@parley/chat-store';
import { png, rawRequest } from './support/attachment-requests.js';
import { emitWithAck, eventually, startChatCluster, type ChatCluster, type TestUser } from './support/chat-cluster.js';
import { configSchema } from '../src/config.js';

const execFileAsync = promisify(execFile);

/**
 * Message search (docs/decisions/0032-message-search.md) over what the real persistence worker
 * stored and folded: ranked, paged, members only, current text of edited messages, no deleted
 * ones, and every query string answered with results or a 400, never a 500. Real PostgreSQL
 * (full-text index) and Redis.
 */

let cluster: ChatCluster;
let db: pg.Pool;
let attachmentDir: string;

beforeAll(async () => {
  attachmentDir = await mkdtemp(join(tmpdir(), 'parley-search-files-'));
  cluster = await startChatCluster({
    label: 'chat_search',
    instances: 2,
    env: { SEND_BURST: '500', SEND_RATE_PER_SECOND: '500', ATTACHMENT_DIR: attachmentDir },
    worker: true,
  });
  db = cluster.db;
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  if (attachmentDir) await rm(attachmentDir, { recursive: true, force: true });
});

const groupRoom = (owner: TestUser, members: TestUser[] = []): Promise<string> => cluster.groupRoom(owner, members, 'search');

async function post(user: TestUser, roomId: string, body: string): Promise<Message> {
  const sent = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: user.token, body: { clientMsgId: randomUUID(), body } });
  expect(sent.status).toBe(201);
  return sent.body.message;
}

/** Waits until the worker stored (and folded the events of) everything accepted in the room. */
const stored = (roomId: string, seq: number): Promise<void> => cluster.storedUpTo(roomId, seq);

function searchPath(params: Record<string, string>): string {
  return `/api/v1/search/messages?${new URLSearchParams(params)}`;
}

async function search(user: TestUser, params: Record<string, string>, instance = 0): Promise<{ results: MessageSearchHit[]; nextCursor: string | null }> {
  const answer = await cluster.api(instance, 'GET', searchPath(params), { token: user.token });
  expect(answer.status).toBe(200);
  return messageSearchResponseSchema.parse(answer.body);
}

/** The message search indexes of a database (one per text-search configuration). */
async function searchIndexes(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ indexname: string }>(
    "SELECT indexname FROM pg_indexes WHERE schemaname = 'chat' AND tablename = 'messages' AND indexname LIKE 'messages\\_search\\_%' ORDER BY indexname",
  );
  return rows.map((row) => row.indexname);
}

const marked = (hit: MessageSearchHit) => hit.snippet.highlights.map(({ start, length }) => hit.snippet.text.slice(start, start + length).toLowerCase());

describe('message search', () => {
  it('ranks the best matches first, then the newest, with snippets as text plus matched ranges', async () => {
    const [owner] = [await cluster.user('owner')];
    const roomId = await groupRoom(owner);
    const once = await post(owner, roomId, 'an apple a day');
    const thrice = await post(owner, roomId, 'Apple pie, apple tart and apple juice');
    const olderTwin = await post(owner, roomId, 'kiwi fruit salad');
    const newerTwin = await post(owner, roomId, 'kiwi fruit salad');
    const html = await post(owner, roomId, '<b>apricot</b> &amp; <script>alert(1)</script> a<b');
    await stored(roomId, html.seq);

    const apples = await search(owner, { q: 'apple' });
    expect(apples.results.map((hit) => hit.messageId)).toEqual([thrice.id, once.id]);
    expect(apples.results[0]).toMatchObject({ roomId, seq: thrice.seq, senderId: owner.id, createdAt: thrice.createdAt });
    expect(marked(apples.results[0]!)).toEqual(['apple', 'apple', 'apple']);
    expect(apples.results[0]!.snippet.text).toBe('Apple pie, apple tart and apple juice');

    const kiwis = await search(owner, { q: 'kiwi salad' });
    expect(kiwis.results.map((hit) => hit.messageId)).toEqual([newerTwin.id, olderTwin.id]);

    // Markup in a message is text: it comes back verbatim, the match is a range, not a tag.
    const [apricot] = (await search(owner, { q: 'apricot' })).results;
    // (An excerpt: ts_headline trims short words at its ends.)
    expect(apricot!.snippet.text).toContain('apricot</b> &amp; <script>alert(1)</script');
    expect(marked(apricot!)).toEqual(['apricot']);
    // Phrases and exclusion, web-search style.
    expect((await search(owner, { q: '"apple juice"' })).results.map((hit) => hit.messageId)).toEqual([thrice.id]);
    expect((await search(owner, { q: 'apple -pie' })).results.map((hit) => hit.messageId)).toEqual([once.id]);
  });

  it('finds on one pod what was sent through another, once the worker stored it', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const roomId = await groupRoom(alice, [bob]);
    const bySocket = await cluster.connect(0, alice);
    const sent = await emitWithAck(bySocket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'platypus spotted by the river' });
    expect(sent.ok).toBe(true);
    const byRest = await post(alice, roomId, 'another platypus, upstream');
    await stored(roomId, byRest.seq);

    const onOtherPod = await search(bob, { q: 'platypus' }, 1);
    expect(new Set(onOtherPod.results.map((hit) => hit.messageId))).toEqual(new Set([sent.message.id, byRest.id]));
    expect(onOtherPod.results.every((hit) => hit.roomId === roomId && hit.senderId === alice.id)).toBe(true);
    expect((await search(bob, { q: 'platypus', roomId }, 1)).results).toHaveLength(2);
  });

  it('searches with the `simple` configuration by default: words as written, no stemming, and only its own index', async () => {
    expect(configSchema.shape.SEARCH_LANGUAGE.parse(undefined)).toBe('simple');
    const owner = await cluster.user('runner');
    const roomId = await groupRoom(owner);
    const message = await post(owner, roomId, 'she runs every morning');
    await stored(roomId, message.seq);
    expect((await search(owner, { q: 'runs' }, 1)).results.map((hit) => hit.messageId)).toEqual([message.id]);
    expect((await search(owner, { q: 'running' }, 1)).results).toEqual([]);
    expect(await searchIndexes(db)).toEqual(['messages_search_simple_idx']);
  });

  it('pages with an opaque cursor through every hit exactly once', async () => {
    const owner = await cluster.user('pager');
    const roomId = await groupRoom(owner);
    const sent: Message[] = [];
    for (let index = 0; index < 7; index += 1) sent.push(await post(owner, roomId, index % 2 === 0 ? 'pagination pagination test' : `pagination test ${index}`));
    await stored(roomId, sent.at(-1)!.seq);

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(owner, { q: 'pagination', limit: '3', ...(cursor ? { cursor } : {}) });
      sizes.push(page.results.length);
      seen.push(...page.results.map((hit) => hit.messageId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([3, 3, 1]);
    expect(new Set(seen).size).toBe(7);
    expect(seen.sort()).toEqual(sent.map((message) => message.id).sort());

    const forged = await cluster.api(0, 'GET', searchPath({ q: 'pagination', cursor: Buffer.from('{"v":1,"r":"0.1;drop","id":"1"}').toString('base64url') }), { token: owner.token });
    expect(forged.status).toBe(400);
    expect(forged.body.error).toMatchObject({ code: 'invalid' });
  });

  it('finds only messages of rooms the caller is a member of, now', async () => {
    const [alice, bob, carol] = [await cluster.user('alice'), await cluster.user('bob'), await cluster.user('carol')];
    const shared = await groupRoom(alice, [bob]);
    const alicesOwn = await groupRoom(alice);
    const carols = await groupRoom(carol);
    await post(alice, shared, 'walrus in the shared room');
    const own = await post(alice, alicesOwn, 'walrus in private');
    const secret = await post(carol, carols, 'walrus secret of carol');
    await stored(alicesOwn, own.seq);
    await stored(carols, secret.seq);
    await stored(shared, 1);

    expect((await search(bob, { q: 'walrus' })).results.map((hit) => hit.roomId)).toEqual([shared]);
    expect(new Set((await search(alice, { q: 'walrus' })).results.map((hit) => hit.roomId))).toEqual(new Set([shared, alicesOwn]));

    // Naming a room is no way in: a room of others is a 403, an unknown one a 404, never results.
    const theirs = await cluster.api(0, 'GET', searchPath({ q: 'walrus', roomId: carols }), { token: bob.token });
    expect(theirs.status).toBe(403);
    expect(theirs.body).toEqual({ error: expect.objectContaining({ code: 'forbidden' }) });
    expect((await cluster.api(0, 'GET', searchPath({ q: 'walrus', roomId: randomUUID() }), { token: bob.token })).status).toBe(404);
    expect((await search(bob, { q: 'walrus', roomId: shared })).results).toHaveLength(1);
    expect((await cluster.api(0, 'GET', searchPath({ q: 'walrus' }))).status).toBe(401);

    // After leaving, the room's messages are out of reach.
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${shared}/leave`, { token: bob.token })).status).toBe(204);
    expect((await search(bob, { q: 'walrus' })).results).toEqual([]);
    expect((await cluster.api(0, 'GET', searchPath({ q: 'walrus', roomId: shared }), { token: bob.token })).status).toBe(403);
  });

  it('shows the files of a hit, whose links only members get', async () => {
    const [alice, bob, carol] = [await cluster.user('alice'), await cluster.user('bob'), await cluster.user('carol')];
    const roomId = await groupRoom(alice, [bob]);
    const upload = async (bytes: Buffer, name: string): Promise<MessageAttachment> => {
      const answer = await rawRequest(`${cluster.instances[0]!.url}/api/v1/rooms/${roomId}/attachments?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${alice.token}` },
        body: bytes,
      });
      expect(answer.status, answer.body.toString()).toBe(201);
      return JSON.parse(answer.body.toString()).attachment as MessageAttachment;
    };
    const photo = await upload(await png(), 'lighthouse.png');
    const minutes = await upload(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), 'minutes.pdf');
    const sent = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, {
      token: alice.token,
      body: { clientMsgId: randomUUID(), body: 'harbour trip, photo and minutes', attachments: [photo.id, minutes.id] },
    });
    expect(sent.status).toBe(201);
    const plain = await post(alice, roomId, 'harbour trip without files');
    await stored(roomId, plain.seq);

    const hits = (await search(bob, { q: 'harbour' })).results;
    const withFiles = hits.find((hit) => hit.messageId === sent.body.message.id);
    expect(withFiles?.attachments).toEqual([
      expect.objectContaining({ id: photo.id, name: 'lighthouse.png', kind: 'image', contentType: 'image/png', size: photo.size, thumbnail: true }),
      expect.objectContaining({ id: minutes.id, name: 'minutes.pdf', kind: 'file', contentType: 'application/pdf', size: minutes.size, thumbnail: false }),
    ]);
    expect(hits.find((hit) => hit.messageId === plain.id)).not.toHaveProperty('attachments');

    // A member gets short-lived links from the hit's ids, and they serve the bytes.
    const links = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/attachments/${photo.id}/links`, { token: bob.token });
    expect(links.status).toBe(200);
    expect(links.body).toMatchObject({ url: expect.any(String), thumbnailUrl: expect.any(String), expiresAt: expect.any(String) });
    expect((await rawRequest(`${cluster.instances[0]!.url}${links.body.thumbnailUrl}`)).status).toBe(200);

    // Someone else finds nothing of the room, and the ids alone get no link.
    expect((await search(carol, { q: 'harbour' })).results).toEqual([]);
    for (const id of [photo.id, minutes.id]) {
      const refused = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/attachments/${id}/links`, { token: carol.token });
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).not.toContain('lighthouse');
    }
    // Nor does a member's link, signed for them, work for anyone once they left.
    expect((await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/leave`, { token: bob.token })).status).toBe(204);
    expect((await search(bob, { q: 'harbour' })).results).toEqual([]);
    expect((await rawRequest(`${cluster.instances[0]!.url}${links.body.url}`)).status).toBe(403);
  });

  it('searches the current text of an edited message and never a deleted one', async () => {
    const owner = await cluster.user('editor');
    const roomId = await groupRoom(owner);
    const socket = await cluster.connect(0, owner);
    const edited = await post(owner, roomId, 'zebra crossing at noon');
    const removed = await post(owner, roomId, 'narwhal sighting reported');
    expect((await emitWithAck(socket, 'message:edit', { roomId, messageId: edited.id, clientMsgId: randomUUID(), body: 'giraffe crossing at noon' })).ok).toBe(true);
    const deletion = await emitWithAck(socket, 'message:delete', { roomId, messageId: removed.id, clientMsgId: randomUUID() });
    expect(deletion.ok).toBe(true);
    await stored(roomId, deletion.event.seq);
    await eventually(async () => {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM chat.messages WHERE id = ANY($1::bigint[]) AND (edited_at IS NOT NULL OR deleted_at IS NOT NULL)', [[edited.id, removed.id]]);
      expect(rows[0].n).toBe(2);
    }, 15_000);

    expect((await search(owner, { q: 'zebra' })).results).toEqual([]);
    const [hit] = (await search(owner, { q: 'giraffe' })).results;
    expect(hit).toMatchObject({ messageId: edited.id, snippet: { text: 'giraffe crossing at noon' } });
    expect(hit!.editedAt).toEqual(expect.any(String));
    expect((await search(owner, { q: 'narwhal' })).results).toEqual([]);
    // The edit event's own row carries the new text too: it is no hit of its own.
    expect((await search(owner, { q: 'crossing', roomId })).results.map((result) => result.messageId)).toEqual([edited.id]);
  });

  it('answers hostile or malformed queries with results or a 400, never a 500', async () => {
    const owner = await cluster.user('hostile');
    const roomId = await groupRoom(owner);
    const message = await post(owner, roomId, 'quoted "words" and (parentheses) & pipes | here: star*');
    await stored(roomId, message.seq);

    const answered = ['&|!():*', '!', '(', ')', ':*', 'a & b | !c', 'star:*', "'", '"', '"unterminated', "o'brien", '\\', '<script>', '-', 'or', '"words" | (parentheses)', '&&&&&&&&', 'é', '日本語', 'x'.repeat(200)];
    for (const q of answered) {
      const answer = await cluster.api(0, 'GET', searchPath({ q }), { token: owner.token });
      expect({ q, status: answer.status }).toEqual({ q, status: 200 });
      expect(messageSearchResponseSchema.safeParse(answer.body).success).toBe(true);
    }
    expect((await search(owner, { q: '(parentheses) & pipes' })).results.map((hit) => hit.messageId)).toEqual([message.id]);

    const refused: Array<Record<string, string>> = [
      { q: '' },
      { q: '   ' },
      { q: 'x'.repeat(201) },
      { q: 'nul\u0000byte' },
      { q: 'bell\u0007' },
      { q: 'line\nbreak' },
      {},
      { q: 'ok', limit: '0' },
      { q: 'ok', limit: '51' },
      { q: 'ok', limit: '1e1' },
      { q: 'ok', roomId: 'not-a-room' },
      { q: 'ok', cursor: '!!!' },
      { q: 'ok', cursor: 'eyJ2IjoxfQ' },
      { q: 'ok', sort: 'new' },
    ];
    for (const params of refused) {
      const answer = await cluster.api(0, 'GET', searchPath(params), { token: owner.token });
      expect({ params, status: answer.status }).toEqual({ params, status: 400 });
      expect(answer.body.error.code).toBe('invalid');
    }
    const repeated = await cluster.api(0, 'GET', '/api/v1/search/messages?q=a&q=b', { token: owner.token });
    expect(repeated.status).toBe(400);
  });

  it('loads the history around a message, for members only', async () => {
    const [owner, outsider] = [await cluster.user('context'), await cluster.user('outsider')];
    const roomId = await groupRoom(owner);
    const otherRoom = await groupRoom(outsider);
    const sent: Message[] = [];
    for (let index = 1; index <= 30; index += 1) sent.push(await post(owner, roomId, `context line ${index}`));
    const elsewhere = await post(outsider, otherRoom, 'elsewhere');
    await stored(roomId, 30);
    await stored(otherRoom, 1);
    const target = sent[14]!;

    const around = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages/around/${target.id}?limit=5`, { token: owner.token });
    expect(around.status).toBe(200);
    const page = messagesAroundResponseSchema.parse(around.body);
    expect(page.messages.map((message) => message.seq)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(page).toMatchObject({ hasMoreBefore: true, hasMoreAfter: true });
    const edge = messagesAroundResponseSchema.parse((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages/around/${sent[1]!.id}?limit=5`, { token: owner.token })).body);
    expect(edge.messages[0]!.seq).toBe(1);
    expect(edge.hasMoreBefore).toBe(false);

    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages/around/${target.id}`, { token: outsider.token })).status).toBe(403);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${randomUUID()}/messages/around/${target.id}`, { token: owner.token })).status).toBe(404);
    // A message of another room is no message of this one.
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages/around/${elsewhere.id}`, { token: owner.token })).status).toBe(404);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages/around/not-an-id`, { token: owner.token })).status).toBe(400);
    expect((await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages/around/${target.id}?limit=500`, { token: owner.token })).status).toBe(400);
  });

  it('reads the user\'s rooms instead of the index when a word is far more common in the table than in them, with the same results', async () => {
    const [crowd, loner] = [await cluster.user('crowd'), await cluster.user('loner')];
    const busy = await groupRoom(crowd);
    const quiet = await groupRoom(loner);
    for (let index = 0; index < 40; index += 1) await post(crowd, busy, `ubiquitous chatter ${index}`);
    const own = await post(loner, quiet, 'ubiquitous but mine');
    await stored(busy, 40);
    await stored(quiet, own.seq);
    await db.query('ANALYZE chat.messages');

    const dataSource = createChatDataSource({ url: cluster.database.url, poolSize: 1, applicationName: 'search-test' });
    await dataSource.initialize();
    try {
      const lonerRequest = { userId: loner.id, query: 'ubiquitous', limit: 10 };
      expect(await chooseSearchStrategy(dataSource, 'simple', lonerRequest)).toBe('rooms');
      expect(await chooseSearchStrategy(dataSource, 'simple', { userId: crowd.id, query: 'ubiquitous', limit: 10 })).toBe('index');
      for (const request of [lonerRequest, { userId: crowd.id, query: 'ubiquitous chatter', limit: 7 }, { userId: crowd.id, query: 'chatter', roomId: busy, limit: 50 }]) {
        const byIndex = await searchMessages(dataSource, 'simple', request, 'index');
        expect(await searchMessages(dataSource, 'simple', request, 'rooms')).toEqual(byIndex);
      }
      expect((await searchMessages(dataSource, 'simple', lonerRequest, 'rooms')).map((row) => row.id)).toEqual([own.id]);
    } finally {
      await dataSource.destroy();
    }
    expect((await search(loner, { q: 'ubiquitous' })).results.map((hit) => hit.messageId)).toEqual([own.id]);
  });

  it('counts searches by outcome and times them', async () => {
    const response = await fetch(`${cluster.instances[0]!.adminUrl}/metrics`);
    const text = await response.text();
    const count = (outcome: string) => Number(new RegExp(`^parley_message_searches_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    expect(count('hits')).toBeGreaterThan(0);
    expect(count('empty')).toBeGreaterThan(0);
    expect(count('invalid')).toBeGreaterThan(0);
    expect(count('refused')).toBeGreaterThan(0);
    expect(count('failed')).toBe(0);
    expect(text).toMatch(/^parley_message_search_seconds_count\{[^}]*scope="all"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^parley_message_search_seconds_count\{[^}]*scope="room"[^}]*\} [1-9]/m);
  });
});

describe('message search with SEARCH_LANGUAGE=english', () => {
  let english: ChatCluster;
  const migrateCommand = fileURLToPath(new URL('../dist/migrate.js', import.meta.url));

  beforeAll(async () => {
    english = await startChatCluster({ label: 'chat_search_en', instances: 1, env: { SEARCH_LANGUAGE: 'english' }, worker: true });
  }, 120_000);

  afterAll(async () => {
    await english?.close();
  });

  it('gets its own index from the migrate command, next to the `simple` one of the migrations', async () => {
    // Serving pods never build an index (it holds off writes): with DB_MIGRATE_ON_START only the migrations' one exists.
    expect(await searchIndexes(english.db)).toEqual(['messages_search_simple_idx']);
    const env = { PATH: process.env.PATH, DATABASE_URL: english.database.url, SEARCH_LANGUAGE: 'english', LOG_LEVEL: 'silent' };
    await execFileAsync(process.execPath, [migrateCommand], { env, timeout: 60_000 });
    expect(await searchIndexes(english.db)).toEqual(['messages_search_english_idx', 'messages_search_simple_idx']);
    const { rows } = await english.db.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = 'chat' AND indexname = 'messages_search_english_idx'");
    expect(rows[0]!.indexdef).toContain("to_tsvector('english'::regconfig, body)");
    // Run again (every deploy does): nothing to do, no error.
    await execFileAsync(process.execPath, [migrateCommand], { env, timeout: 60_000 });
    expect(await searchIndexes(english.db)).toEqual(['messages_search_english_idx', 'messages_search_simple_idx']);
  });

  it('stems words: "running" finds "runs" and "run", and stop words alone find nothing', async () => {
    const [owner, member] = [await english.user('runner'), await english.user('member')];
    const roomId = await english.groupRoom(owner, [member], 'english');
    const post = async (body: string): Promise<Message> => {
      const sent = await english.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: owner.token, body: { clientMsgId: randomUUID(), body } });
      expect(sent.status).toBe(201);
      return sent.body.message;
    };
    const runs = await post('she runs every morning');
    const run = await post('we run together on Sundays');
    const other = await post('swimming on Mondays');
    await english.storedUpTo(roomId, other.seq);
    const find = async (q: string) => {
      const answer = await english.api(0, 'GET', searchPath({ q }), { token: member.token });
      expect(answer.status).toBe(200);
      return messageSearchResponseSchema.parse(answer.body).results.map((hit) => hit.messageId);
    };
    expect(new Set(await find('running'))).toEqual(new Set([runs.id, run.id]));
    expect(await find('swim')).toEqual([other.id]);
    expect(await find('the')).toEqual([]);
  });
});
