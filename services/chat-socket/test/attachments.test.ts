import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldTimelineEvents, storeMessageBatch } from '@parley/chat-store';
import { MESSAGE_ATTACHMENTS_MAX, type Message, type MessageAttachment } from '@parley/contracts';
import { recentWindowKey } from '@parley/keyspace';
import { openQueue } from '@parley/queues';
import { TEST_REDIS_URL } from '@parley/testing';
import { DownloadSigner } from '../src/attachments/signed-urls.js';
import { jpegWithGps, png, rawRequest } from './support/attachment-requests.js';
import { s3AttachmentEnv, startS3TestServer } from './support/s3-test-server.js';
import { collect, emitWithAck, eventually, startChatCluster, type ChatCluster, type TestUser } from './support/chat-cluster.js';

const URL_SECRET = 'test-attachment-url-secret-0123456789abcdef';
const MAX_BYTES = 200_000;
let cluster: ChatCluster;
let directory: string;
let redis: Redis;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'parley-attachments-'));
  cluster = await startChatCluster({
    label: 'chat_attachments',
    env: { ATTACHMENT_DIR: directory, ATTACHMENT_URL_SECRET: URL_SECRET, ATTACHMENT_MAX_BYTES: String(MAX_BYTES), ATTACHMENT_DELETE_GRACE_SECONDS: '1' },
  });
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  redis?.disconnect();
  await cluster?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

async function groupRoom(owner: TestUser, members: TestUser[] = []): Promise<string> {
  const created = await cluster.api(0, 'POST', '/api/v1/rooms', { token: owner.token, body: { name: 'files', memberIds: members.map((m) => m.id) } });
  expect(created.status).toBe(201);
  return created.body.id;
}

function upload(user: TestUser | undefined, roomId: string, bytes: Buffer, options: { name?: string; headers?: Record<string, string>; instance?: number } = {}) {
  const query = options.name === undefined ? '' : `?name=${encodeURIComponent(options.name)}`;
  return rawRequest(`${cluster.instances[options.instance ?? 0]!.url}/api/v1/rooms/${roomId}/attachments${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...(user ? { authorization: `Bearer ${user.token}` } : {}), ...options.headers },
    body: bytes,
  });
}

async function uploaded(user: TestUser, roomId: string, bytes: Buffer, name?: string): Promise<MessageAttachment> {
  const result = await upload(user, roomId, bytes, name === undefined ? {} : { name });
  expect(result.status, result.body.toString()).toBe(201);
  return JSON.parse(result.body.toString()).attachment as MessageAttachment;
}

/** Sends a message carrying the uploads (REST), so the room's other members may fetch them. */
async function share(user: TestUser, roomId: string, attachments: MessageAttachment[]): Promise<void> {
  const sent = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: user.token, body: { clientMsgId: randomUUID(), body: 'files', attachments: attachments.map((a) => a.id) } });
  expect(sent.status).toBe(201);
}

async function links(user: TestUser, roomId: string, attachmentId: string, instance = 0) {
  return cluster.api(instance, 'GET', `/api/v1/rooms/${roomId}/attachments/${attachmentId}/links`, { token: user.token });
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const otherFirstCharacter = (signature: string) => `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
const otherUnusedBits = (signature: string) => `${signature.slice(0, -1)}${BASE64URL[BASE64URL.indexOf(signature.at(-1)!) ^ 1]}`;
const fetchFrom = (path: string, instance = 1) => rawRequest(`${cluster.instances[instance]!.url}${path}`);
const errorOf = (result: { body: Buffer }) => JSON.parse(result.body.toString()) as { error: { code: string; message: string } };
const storedPath = (roomId: string, id: string, variant = 'original') => join(directory, 'rooms', roomId, id, variant);

describe('uploading files to a room', () => {
  it('re-encodes a JPEG without its EXIF and GPS data, with its size and a thumbnail, whatever type the client claimed', async () => {
    const alice = await cluster.user('alice');
    const roomId = await groupRoom(alice);
    const original = await jpegWithGps(640, 480);
    expect((await sharp(original).metadata()).exif).toBeDefined();

    const result = await upload(alice, roomId, original, { name: 'holiday.jpg', headers: { 'content-type': 'text/html' } });
    expect(result.status).toBe(201);
    const { attachment } = JSON.parse(result.body.toString());
    expect(attachment).toMatchObject({ name: 'holiday.jpg', kind: 'image', contentType: 'image/jpeg', width: 640, height: 480, thumbnail: true });

    const stored = await readFile(storedPath(roomId, attachment.id));
    expect(attachment.size).toBe(stored.length);
    const metadata = await sharp(stored).metadata();
    expect(metadata.format).toBe('jpeg');
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(stored.includes(Buffer.from('SpyCam'))).toBe(false);
    expect(stored.includes(Buffer.from('Secret Photographer'))).toBe(false);
    const thumbnail = await sharp(await readFile(storedPath(roomId, attachment.id, 'thumbnail'))).metadata();
    expect(thumbnail).toMatchObject({ format: 'webp', width: 320, height: 240 });
    const metrics = await (await fetch(`${cluster.instances[0]!.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^parley_attachment_uploads_total\{kind="image"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^parley_attachment_image_processing_seconds_count(\{[^}]*\})? [1-9]/m);
  });

  it('keeps PNG, GIF and WebP images in their own format', async () => {
    const alice = await cluster.user('alice');
    const roomId = await groupRoom(alice);
    const base = sharp({ create: { width: 20, height: 10, channels: 3, background: '#00ff00' } });
    for (const [bytes, type] of [
      [await png(), 'image/png'],
      [await base.clone().gif().toBuffer(), 'image/gif'],
      [await base.clone().webp().toBuffer(), 'image/webp'],
    ] as const) {
      expect(await uploaded(alice, roomId, bytes)).toMatchObject({ kind: 'image', contentType: type, thumbnail: true });
    }
  });

  it('stores anything else as a file: listed types by their magic numbers, the rest (HTML, SVG, scripts) as generic bytes', async () => {
    const alice = await cluster.user('alice');
    const roomId = await groupRoom(alice);
    const pdf = await uploaded(alice, roomId, Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), 'report.pdf');
    expect(pdf).toMatchObject({ kind: 'file', contentType: 'application/pdf', thumbnail: false, name: 'report.pdf' });
    expect(pdf.width).toBeUndefined();
    for (const hostile of ['<html><script>alert(1)</script></html>', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>']) {
      const file = await uploaded(alice, roomId, Buffer.from(hostile), 'cute.png');
      expect(file).toMatchObject({ kind: 'file', contentType: 'application/octet-stream', name: 'cute.png', size: hostile.length });
    }
  });

  it('answers 401 without a token, 404 for a room that does not exist and 403 to a non-member', async () => {
    const [alice, mallory] = [await cluster.user('alice'), await cluster.user('mallory')];
    const roomId = await groupRoom(alice);
    const bytes = await png();
    expect((await upload(undefined, roomId, bytes)).status).toBe(401);
    const missing = await upload(mallory, randomUUID(), bytes);
    expect(missing.status).toBe(404);
    expect(errorOf(missing).error.code).toBe('not_found');
    const foreign = await upload(mallory, roomId, bytes);
    expect(foreign.status).toBe(403);
    expect(errorOf(foreign).error.code).toBe('forbidden');
  });

  it('refuses oversize files with 413, announced by Content-Length or streamed without one, and keeps nothing', async () => {
    const alice = await cluster.user('alice');
    const roomId = await groupRoom(alice);
    const announced = await upload(alice, roomId, Buffer.alloc(MAX_BYTES + 1, 7));
    expect(announced.status).toBe(413);
    expect(errorOf(announced).error.code).toBe('payload_too_large');

    const chunk = Buffer.alloc(16_384, 9);
    const streamed = await rawRequest(`${cluster.instances[1]!.url}/api/v1/rooms/${roomId}/attachments`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${alice.token}`, 'transfer-encoding': 'chunked' },
      chunks: Array.from({ length: Math.ceil(MAX_BYTES / chunk.length) + 4 }, () => chunk),
    }).catch((error: unknown) => ({ status: -1, error }));
    // The answer is 413 (or, if the server closed first, a reset while still writing: never a 2xx).
    if (streamed.status !== -1) {
      expect(streamed.status).toBe(413);
      expect(errorOf(streamed as { body: Buffer }).error.code).toBe('payload_too_large');
    }
    const exactly = await upload(alice, roomId, Buffer.alloc(MAX_BYTES, 1));
    expect(exactly.status).toBe(201);
    const rows = await cluster.instances[0]!.chat.dataSource.query('SELECT count(*)::int AS n FROM chat.attachments WHERE room_id = $1', [roomId]);
    expect(rows[0].n).toBe(1);
  });

  it('answers malformed uploads with the uniform error body: empty 400, forms and JSON 415, undecodable images and decompression bombs 415, bad names 400', async () => {
    const alice = await cluster.user('alice');
    const roomId = await groupRoom(alice);
    const empty = await upload(alice, roomId, Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(errorOf(empty).error.code).toBe('invalid');
    const form = await upload(alice, roomId, Buffer.from('--x\r\n\r\nhello\r\n--x--'), { headers: { 'content-type': 'multipart/form-data; boundary=x' } });
    expect(form.status).toBe(415);
    expect(errorOf(form).error.code).toBe('unsupported_media_type');
    const json = await upload(alice, roomId, Buffer.from('{"file":"x"}'), { headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(415);
    const broken = Buffer.concat([(await png()).subarray(0, 24), Buffer.alloc(200, 0xee)]);
    const undecodable = await upload(alice, roomId, broken);
    expect(undecodable.status).toBe(415);
    expect(errorOf(undecodable).error).toEqual({ code: 'unsupported_media_type', message: 'The image cannot be decoded' });
    // A decompression bomb: small compressed, 50 megapixels decoded.
    const bomb = await sharp({ create: { width: 10_000, height: 5_000, channels: 3, background: '#000000' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(MAX_BYTES);
    const refused = await upload(alice, roomId, bomb);
    expect(refused.status).toBe(415);
    expect(errorOf(refused).error.code).toBe('unsupported_media_type');
    for (const name of ['../../etc/passwd', 'a\u0000b.png', 'x'.repeat(256), '']) {
      const bad = await upload(alice, roomId, Buffer.from('hello'), { name });
      expect(bad.status, name).toBe(400);
      expect(errorOf(bad).error.code).toBe('invalid');
    }
    const unknownField = await rawRequest(`${cluster.instances[0]!.url}/api/v1/rooms/${roomId}/attachments?name=a&kind=image`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: Buffer.from('x'),
    });
    expect(unknownField.status).toBe(400);
    expect((await upload(alice, 'not-a-room', Buffer.from('x'))).status).toBe(400);
  });
});

describe('downloading through signed URLs', () => {
  it('serves a member the image and its thumbnail from either pod, inline, sandboxed and never sniffed', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const roomId = await groupRoom(alice, [bob]);
    const image = await uploaded(alice, roomId, await jpegWithGps(400, 300), 'photo.jpg');
    // Until a message carries it, an upload is its uploader's alone.
    expect((await links(bob, roomId, image.id)).status).toBe(404);
    const aliceSocket = await cluster.connect(0, alice);
    expect((await emitWithAck(aliceSocket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'photo', attachments: [image.id] })).ok).toBe(true);
    const granted = await links(bob, roomId, image.id);
    expect(granted.status).toBe(200);
    expect(granted.body.url).toMatch(new RegExp(`^/api/v1/rooms/${roomId}/attachments/${image.id}/content\\?`));
    expect(Date.parse(granted.body.expiresAt)).toBeGreaterThan(Date.now());

    const original = await fetchFrom(granted.body.url, 1);
    expect(original.status).toBe(200);
    expect(original.headers['content-type']).toBe('image/jpeg');
    expect(original.headers['x-content-type-options']).toBe('nosniff');
    expect(original.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(original.headers['content-disposition']).toMatch(/^inline; filename="photo.jpg"/);
    expect((await sharp(original.body).metadata()).exif).toBeUndefined();
    const thumbnail = await fetchFrom(granted.body.thumbnailUrl, 0);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
  });

  it('serves every other file as a download (attachment disposition, nosniff, sandbox CSP), names escaped', async () => {
    const alice = await cluster.user('alice');
    const roomId = await groupRoom(alice);
    const file = await uploaded(alice, roomId, Buffer.from('<html><script>alert(document.cookie)</script></html>'), 'evil"; x=.html');
    const granted = await links(alice, roomId, file.id);
    expect(granted.body.thumbnailUrl).toBeUndefined();
    const download = await fetchFrom(granted.body.url);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(download.headers['content-disposition']).toBe(`attachment; filename="evil__ x=.html"; filename*=UTF-8''${encodeURIComponent('evil"; x=.html')}`);
  });

  it('refuses links to non-members (403), for unknown rooms and files (404), and for a file of another room (404)', async () => {
    const [alice, mallory] = [await cluster.user('alice'), await cluster.user('mallory')];
    const roomId = await groupRoom(alice);
    const otherRoomId = await groupRoom(alice);
    const image = await uploaded(alice, roomId, await png());
    expect((await links(mallory, roomId, image.id)).status).toBe(403);
    expect((await links(mallory, randomUUID(), image.id)).status).toBe(404);
    expect((await links(alice, roomId, randomUUID())).status).toBe(404);
    expect((await links(alice, otherRoomId, image.id)).status).toBe(404);
  });

  it('refuses tampered URLs with 403: another file, variant, user, expiry or signature', async () => {
    const [alice, bob, mallory] = [await cluster.user('alice'), await cluster.user('bob'), await cluster.user('mallory')];
    const roomId = await groupRoom(alice, [bob]);
    const image = await uploaded(alice, roomId, await png());
    const other = await uploaded(alice, roomId, Buffer.from('%PDF-1.4 secret'));
    await share(alice, roomId, [image, other]);
    const url = new URL((await links(bob, roomId, image.id)).body.url, 'http://x');
    const tampered = (change: (url: URL) => void) => {
      const copy = new URL(url);
      change(copy);
      return `${copy.pathname}${copy.search}`;
    };
    const attempts = [
      tampered((u) => (u.pathname = u.pathname.replace(image.id, other.id))),
      tampered((u) => u.searchParams.set('variant', 'thumbnail')),
      tampered((u) => u.searchParams.set('user', mallory.id)),
      tampered((u) => u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 3600))),
      tampered((u) => u.searchParams.set('signature', otherFirstCharacter(u.searchParams.get('signature')!))),
      // The same bytes spelled differently (the last character's unused bits): refused too.
      tampered((u) => u.searchParams.set('signature', otherUnusedBits(u.searchParams.get('signature')!))),
    ];
    for (const attempt of attempts) {
      const result = await fetchFrom(attempt);
      expect(result.status, attempt).toBe(403);
      expect(errorOf(result).error.code).toBe('forbidden');
    }
    for (const malformed of [tampered((u) => u.searchParams.delete('signature')), tampered((u) => u.searchParams.set('extra', '1')), tampered((u) => u.searchParams.set('expires', '-1'))]) {
      expect((await fetchFrom(malformed)).status, malformed).toBe(400);
    }
    expect((await fetchFrom(`${url.pathname}${url.search}`)).status).toBe(200);
  });

  it('refuses an expired URL, and a URL of someone who left the room since it was signed', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const roomId = await groupRoom(alice, [bob]);
    const image = await uploaded(alice, roomId, await png());
    const signer = new DownloadSigner(URL_SECRET);
    const expires = Math.floor(Date.now() / 1000) - 1;
    const signature = signer.sign({ attachmentId: image.id, variant: 'original', userId: bob.id, expires });
    const expired = await fetchFrom(`/api/v1/rooms/${roomId}/attachments/${image.id}/content?${new URLSearchParams({ variant: 'original', user: bob.id, expires: String(expires), signature })}`);
    expect(expired.status).toBe(403);
    expect(errorOf(expired).error.message).toMatch(/expired/);

    await share(alice, roomId, [image]);
    const url = (await links(bob, roomId, image.id)).body.url;
    expect((await fetchFrom(url)).status).toBe(200);
    expect((await cluster.api(0, 'DELETE', `/api/v1/rooms/${roomId}/members/${bob.id}`, { token: alice.token })).status).toBeLessThan(300);
    expect((await fetchFrom(url)).status).toBe(403);
  });
});

describe('messages carrying attachments', () => {
  const send = (socket: Parameters<typeof emitWithAck>[0], payload: Record<string, unknown>) => emitWithAck(socket, 'message:send', { clientMsgId: randomUUID(), body: 'look', ...payload });

  it('delivers the files’ metadata with the message to members on both pods, and history and room:sync return it', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const roomId = await groupRoom(alice, [bob]);
    const image = await uploaded(alice, roomId, await jpegWithGps(100, 50), 'a.jpg');
    const file = await uploaded(alice, roomId, Buffer.from('%PDF-1.4'), 'b.pdf');
    const aliceSocket = await cluster.connect(0, alice);
    const bobSocket = await cluster.connect(1, bob);
    const received = collect<Message>(bobSocket, 'message:new');
    const ack = await send(aliceSocket, { roomId, attachments: [image.id, file.id] });
    expect(ack.ok).toBe(true);
    expect(ack.message.attachments).toEqual([image, file]);
    await eventually(() => expect(received.map((m) => m.attachments)).toEqual([[image, file]]));

    const history = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages`, { token: bob.token });
    expect(history.body.messages.at(-1).attachments).toEqual([image, file]);

    // Once stored (what the persistence worker does) and out of the recent window, history reads the files from PostgreSQL.
    const { dataSource } = cluster.instances[0]!.chat;
    await storeMessageBatch(dataSource, [ack.message]);
    await redis.del(recentWindowKey(cluster.redisPrefix, roomId));
    const synced = await emitWithAck(bobSocket, 'room:sync', { rooms: [{ roomId, afterSeq: 0 }] });
    expect(synced.ok, JSON.stringify(synced)).toBe(true);
    expect(synced.rooms[0].messages.map((m: Message) => m.attachments)).toEqual([[image, file]]);
    const stored = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages`, { token: bob.token });
    expect(stored.body.messages.map((m: Message) => m.attachments)).toEqual([[image, file]]);
  });

  it('refuses someone else’s upload, another room’s upload and an upload another message carries; a retry of the same send is the same message', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const roomId = await groupRoom(alice, [bob]);
    const otherRoomId = await groupRoom(alice, [bob]);
    const bobs = await uploaded(bob, roomId, await png());
    const elsewhere = await uploaded(alice, otherRoomId, await png());
    const own = await uploaded(alice, roomId, await png());
    const socket = await cluster.connect(0, alice);
    for (const ids of [[bobs.id], [elsewhere.id], [own.id, bobs.id], [randomUUID()]]) {
      const refused = await send(socket, { roomId, attachments: ids });
      expect(refused, JSON.stringify(ids)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
    // Nothing was claimed by the refused sends: `own` still goes with a message, once.
    const clientMsgId = randomUUID();
    const first = await send(socket, { roomId, clientMsgId, attachments: [own.id] });
    expect(first.ok).toBe(true);
    const retried = await send(socket, { roomId, clientMsgId, attachments: [own.id] });
    expect(retried).toMatchObject({ ok: true, message: { id: first.message.id, attachments: [own] } });
    const again = await send(socket, { roomId, attachments: [own.id] });
    expect(again).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const rest = await cluster.api(1, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: alice.token, body: { clientMsgId: randomUUID(), body: 'again', attachments: [own.id] } });
    expect(rest.status).toBe(400);
  });

  it('refuses malformed attachment lists: too many, repeated ids, not ids', async () => {
    const alice = await cluster.user('alice');
    const roomId = await groupRoom(alice);
    const socket = await cluster.connect(1, alice);
    const id = randomUUID();
    for (const attachments of [Array.from({ length: MESSAGE_ATTACHMENTS_MAX + 1 }, () => randomUUID()), [id, id], ['../x'], [], 'x']) {
      expect(await send(socket, { roomId, attachments })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
  });

  it('a reply that mentions a member carries its files too: delivered, in the thread and over REST', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const roomId = await groupRoom(alice, [bob]);
    const aliceSocket = await cluster.connect(0, alice);
    const bobSocket = await cluster.connect(1, bob);
    const parent = await send(bobSocket, { roomId, body: 'which one?' });
    expect(parent.ok).toBe(true);
    const image = await uploaded(alice, roomId, await png(), 'this.png');
    const received = collect<Message>(bobSocket, 'message:new');
    const reply = await send(aliceSocket, { roomId, body: `@${bob.username} this one`, replyTo: parent.message.id, attachments: [image.id] });
    expect(reply, JSON.stringify(reply)).toMatchObject({ ok: true, message: { replyTo: parent.message.id, replyQuote: { senderId: bob.id }, mentions: [bob.id], attachments: [image] } });
    await eventually(() => expect(received.find((m) => m.id === reply.message.id)).toMatchObject({ replyTo: parent.message.id, mentions: [bob.id], attachments: [image] }));
    const thread = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/messages/${parent.message.id}/replies`, { token: bob.token });
    expect(thread.status).toBe(200);
    expect(thread.body.replies.map((m: Message) => m.attachments)).toEqual([[image]]);

    const file = await uploaded(alice, roomId, Buffer.from('%PDF-1.4'), 'more.pdf');
    const rest = await cluster.api(1, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: alice.token, body: { clientMsgId: randomUUID(), body: 'and this', replyTo: parent.message.id, attachments: [file.id] } });
    expect(rest.status).toBe(201);
    expect(rest.body.message).toMatchObject({ replyTo: parent.message.id, attachments: [file] });
    // A reply to a message of another room is refused, and does not use up the upload.
    const otherRoomId = await groupRoom(alice, [bob]);
    const spare = await uploaded(alice, roomId, await png());
    const foreignParent = await send(aliceSocket, { roomId: otherRoomId, body: 'elsewhere' });
    expect(await send(aliceSocket, { roomId, replyTo: foreignParent.message.id, attachments: [spare.id] })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await send(aliceSocket, { roomId, attachments: [spare.id] })).toMatchObject({ ok: true, message: { attachments: [spare] } });
  });

  it('sends a REST message with attachments, and a non-member cannot attach to the room', async () => {
    const [alice, mallory] = [await cluster.user('alice'), await cluster.user('mallory')];
    const roomId = await groupRoom(alice);
    const own = await uploaded(alice, roomId, await png());
    const sent = await cluster.api(1, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: alice.token, body: { clientMsgId: randomUUID(), body: 'rest', attachments: [own.id] } });
    expect(sent.status).toBe(201);
    expect(sent.body.message.attachments).toEqual([own]);
    const foreign = await cluster.api(0, 'POST', `/api/v1/rooms/${roomId}/messages`, { token: mallory.token, body: { clientMsgId: randomUUID(), body: 'x', attachments: [own.id] } });
    expect([400, 403]).toContain(foreign.status);
  });
});

describe('cleaning up files', () => {
  it('deletes the files of a deleted message after the grace period, and history no longer shows them', async () => {
    const alice = await cluster.user('alice');
    const roomId = await groupRoom(alice);
    const image = await uploaded(alice, roomId, await png());
    const socket = await cluster.connect(0, alice);
    const sent = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'soon gone', attachments: [image.id] });
    const { dataSource } = cluster.instances[0]!.chat;
    await storeMessageBatch(dataSource, [sent.message]);
    const deleted = await emitWithAck(socket, 'message:delete', { roomId, messageId: sent.message.id, clientMsgId: randomUUID() });
    expect(deleted.ok).toBe(true);
    // What the persistence worker does with the deletion event.
    await storeMessageBatch(dataSource, [deleted.event]);
    await foldTimelineEvents(dataSource, [deleted.event]);

    // The cleanup removes the bytes first and the row after them: wait for both.
    await eventually(async () => {
      await expect(stat(storedPath(roomId, image.id))).rejects.toThrow();
      await expect(stat(storedPath(roomId, image.id, 'thumbnail'))).rejects.toThrow();
      expect(await dataSource.query('SELECT 1 FROM chat.attachments WHERE id = $1', [image.id])).toHaveLength(0);
    }, 20_000, 200);
    await redis.del(recentWindowKey(cluster.redisPrefix, roomId));
    const history = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages`, { token: alice.token });
    const message = history.body.messages.find((m: Message) => m.id === sent.message.id);
    expect(message.deletedAt).toBeDefined();
    expect(message.attachments).toBeUndefined();
  });

  it('deletes an upload no message carries after the TTL, and keeps one a stored message carries', async () => {
    const alice = await cluster.user('alice');
    const roomId = await groupRoom(alice);
    const quick = await cluster.startInstance({ ATTACHMENT_UNSENT_TTL_SECONDS: '1' });
    const unsent = JSON.parse((await upload(alice, roomId, await png(), { instance: cluster.instances.indexOf(quick) })).body.toString()).attachment as MessageAttachment;
    const carried = await uploaded(alice, roomId, await png());
    const socket = await cluster.connect(0, alice);
    const sent = await emitWithAck(socket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'kept', attachments: [carried.id] });
    await storeMessageBatch(quick.chat.dataSource, [sent.message]);
    // The carried upload's own TTL job, run now rather than in a day.
    const queue = openQueue('attachments', { connection: redis, installPrefix: cluster.redisPrefix });
    const job = await queue.add('unsent', { kind: 'unsent', attachmentId: carried.id });

    // The cleanup removes the bytes first and the row after them: wait for both.
    await eventually(async () => {
      await expect(stat(storedPath(roomId, unsent.id))).rejects.toThrow();
      expect(await (await queue.getJob(job.id!))!.isCompleted()).toBe(true);
      expect((await quick.chat.dataSource.query('SELECT id FROM chat.attachments WHERE room_id = $1', [roomId])).map((row: { id: string }) => row.id)).toEqual([carried.id]);
    }, 30_000, 200);
    await queue.close();
    expect((await stat(storedPath(roomId, carried.id))).isFile()).toBe(true);
    await cluster.stopInstance(quick);
  });
});

describe('S3-compatible storage', () => {
  it('keeps uploads in the bucket and serves them back through signed URLs', async () => {
    const s3 = await startS3TestServer();
    const pod = await cluster.startInstance(s3AttachmentEnv(s3));
    try {
      const index = cluster.instances.indexOf(pod);
      const alice = await cluster.user('alice');
      const roomId = await groupRoom(alice);
      const result = await upload(alice, roomId, await jpegWithGps(300, 200), { instance: index, name: 'in-the-bucket.jpg' });
      expect(result.status).toBe(201);
      const { attachment } = JSON.parse(result.body.toString());
      await expect(stat(storedPath(roomId, attachment.id))).rejects.toThrow();
      const granted = await links(alice, roomId, attachment.id, index);
      const original = await fetchFrom(granted.body.url, index);
      expect(original.status).toBe(200);
      expect(original.body.length).toBe(attachment.size);
      const metadata = await sharp(original.body).metadata();
      expect(metadata).toMatchObject({ format: 'jpeg', width: 300, height: 200 });
      expect(metadata.exif).toBeUndefined();
      expect((await fetchFrom(granted.body.thumbnailUrl, index)).status).toBe(200);
    } finally {
      await cluster.stopInstance(pod);
      await s3.close();
    }
  });
});
