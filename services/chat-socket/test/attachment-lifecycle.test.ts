import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, MessageAttachment } from '@parley/contracts';
import type { AttachmentStore } from '../src/attachments/attachment-store.js';
import { LocalAttachmentStore } from '../src/attachments/local-attachment-store.js';
import { S3AttachmentStore } from '../src/attachments/s3-attachment-store.js';
import { png, rawRequest } from './support/attachment-requests.js';
import { s3AttachmentEnv, startS3TestServer, type S3TestServer } from './support/s3-test-server.js';
import { collect, emitWithAck, eventually, nextEvent, startChatCluster, type ChatCluster, type TestUser } from './support/chat-cluster.js';

/**
 * The life of a message's files with the real persistence worker and two pods: sent on one pod
 * while a member is offline, caught up by `room:sync` on the other pod with working links, then
 * deleted by the author, after which the cleanup job (ATTACHMENT_DELETE_GRACE_SECONDS) removes
 * the bytes and the rows, and the synced tombstone names no files. Once per storage kind.
 */

const URL_SECRET = 'test-attachment-url-secret-0123456789abcdef';
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');

interface Storage {
  env: Record<string, string>;
  /** A store on the same files as the pods, to look at what is kept. */
  store: AttachmentStore & { close?(): void };
  close(): Promise<void>;
}

async function localStorage(): Promise<Storage> {
  const directory = await mkdtemp(join(tmpdir(), 'parley-attachment-lifecycle-'));
  return {
    env: { ATTACHMENT_DIR: directory },
    store: new LocalAttachmentStore(directory),
    close: () => rm(directory, { recursive: true, force: true }),
  };
}

async function s3Storage(): Promise<Storage> {
  const s3: S3TestServer = await startS3TestServer();
  const store = new S3AttachmentStore({
    bucket: s3.bucket,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  return {
    env: s3AttachmentEnv(s3),
    store,
    async close() {
      store.close();
      await s3.close();
    },
  };
}

describe.each([
  ['a local directory', localStorage],
  ['an S3-compatible bucket', s3Storage],
] as const)('files of a message, kept in %s, with the persistence worker', (label, openStorage) => {
  let cluster: ChatCluster;
  let storage: Storage;

  beforeAll(async () => {
    storage = await openStorage();
    cluster = await startChatCluster({
      label: label.startsWith('a local') ? 'chat_files_local' : 'chat_files_s3',
      instances: 2,
      worker: true,
      env: { ...storage.env, ATTACHMENT_URL_SECRET: URL_SECRET, ATTACHMENT_DELETE_GRACE_SECONDS: '1' },
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.close();
    await storage?.close();
  });

  async function upload(user: TestUser, roomId: string, bytes: Buffer, name: string): Promise<MessageAttachment> {
    const result = await rawRequest(`${cluster.instances[0]!.url}/api/v1/rooms/${roomId}/attachments?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${user.token}` },
      body: bytes,
    });
    expect(result.status, result.body.toString()).toBe(201);
    return JSON.parse(result.body.toString()).attachment as MessageAttachment;
  }

  const sync = async (socket: Parameters<typeof emitWithAck>[0], roomId: string, afterSeq: number): Promise<Message[]> => {
    const answer = await emitWithAck(socket, 'room:sync', { rooms: [{ roomId, afterSeq }] });
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    return answer.rooms[0].messages;
  };

  it('reaches an offline member by room:sync on the other pod with working links, and after the author deletes it, loses its files and their rows after the grace period', async () => {
    const [alice, bob] = [await cluster.user('alice'), await cluster.user('bob')];
    const roomId = await cluster.groupRoom(alice, [bob], 'files');
    const aliceSocket = await cluster.connect(0, alice);
    const bobFirst = await cluster.connect(1, bob);
    const greeting = nextEvent<Message>(bobFirst, 'message:new');
    const hello = await emitWithAck(aliceSocket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'hello' });
    expect(hello.ok).toBe(true);
    const lastSeen = (await greeting).seq;
    bobFirst.disconnect();

    const photo = await upload(alice, roomId, await png(120, 80), 'harbour.png');
    const minutes = await upload(alice, roomId, PDF, 'minutes.pdf');
    const sent = await emitWithAck(aliceSocket, 'message:send', { roomId, clientMsgId: randomUUID(), body: 'photo and minutes', attachments: [photo.id, minutes.id] });
    expect(sent).toMatchObject({ ok: true, message: { attachments: [photo, minutes] } });
    const { rows: keys } = await cluster.db.query<{ id: string; storage_key: string; thumbnail_key: string | null }>(
      'SELECT id, storage_key, thumbnail_key FROM chat.attachments WHERE id = ANY($1::uuid[])',
      [[photo.id, minutes.id]],
    );
    const storageKeys = keys.flatMap((row) => [row.storage_key, ...(row.thumbnail_key ? [row.thumbnail_key] : [])]);
    expect(storageKeys).toHaveLength(3);
    for (const key of storageKeys) expect(await storage.store.exists(key), key).toBe(true);

    // Bob is back, on the other pod: what he missed, files described, whether or not the worker stored it yet.
    const bob2 = await cluster.connect(1, bob);
    const changes = collect<Message>(bob2, 'message:changed');
    const missed = await sync(bob2, roomId, lastSeen);
    expect(missed.map((message) => [message.id, message.attachments])).toEqual([[sent.message.id, [photo, minutes]]]);
    await cluster.storedUpTo(roomId, sent.message.seq);
    expect((await sync(bob2, roomId, lastSeen)).map((message) => message.attachments)).toEqual([[photo, minutes]]);

    const photoLinks = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/attachments/${photo.id}/links`, { token: bob.token });
    expect(photoLinks.status).toBe(200);
    const original = await rawRequest(`${cluster.instances[1]!.url}${photoLinks.body.url}`);
    expect(original.status).toBe(200);
    expect(original.body.length).toBe(photo.size);
    expect(await sharp(original.body).metadata()).toMatchObject({ format: 'png', width: 120, height: 80 });
    expect((await rawRequest(`${cluster.instances[1]!.url}${photoLinks.body.thumbnailUrl}`)).status).toBe(200);
    const minutesLinks = await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/attachments/${minutes.id}/links`, { token: bob.token });
    const document = await rawRequest(`${cluster.instances[1]!.url}${minutesLinks.body.url}`);
    expect(document.status).toBe(200);
    expect(document.body.equals(PDF)).toBe(true);

    const deletion = await emitWithAck(aliceSocket, 'message:delete', { roomId, messageId: sent.message.id, clientMsgId: randomUUID() });
    expect(deletion.ok).toBe(true);
    await eventually(() => expect(changes.map((event) => [event.kind, event.targetId])).toEqual([['delete', sent.message.id]]));

    // After the grace period the cleanup job (retried until the worker stored the deletion) removes bytes, then rows.
    await eventually(async () => {
      for (const key of storageKeys) expect(await storage.store.exists(key), key).toBe(false);
      const { rows } = await cluster.db.query('SELECT id FROM chat.attachments WHERE id = ANY($1::uuid[])', [[photo.id, minutes.id]]);
      expect(rows).toEqual([]);
    }, 40_000, 250);

    // The links handed out before no longer serve anything, and no new ones are given.
    expect((await rawRequest(`${cluster.instances[1]!.url}${photoLinks.body.url}`)).status).toBe(404);
    expect((await cluster.api(1, 'GET', `/api/v1/rooms/${roomId}/attachments/${photo.id}/links`, { token: bob.token })).status).toBe(404);

    // A member catching up now gets the tombstone and the deletion event, and no files.
    const bob3 = await cluster.connect(1, bob);
    const after = await sync(bob3, roomId, lastSeen);
    expect(after.map((message) => [message.id, message.kind])).toEqual([
      [sent.message.id, undefined],
      [deletion.event.id, 'delete'],
    ]);
    expect(after[0]).toMatchObject({ body: '', deletedAt: deletion.event.createdAt });
    expect(after[0]).not.toHaveProperty('attachments');
    expect(after[1]).not.toHaveProperty('attachments');
    const history = await cluster.api(0, 'GET', `/api/v1/rooms/${roomId}/messages`, { token: bob.token });
    expect(history.body.messages.find((message: Message) => message.id === sent.message.id)).not.toHaveProperty('attachments');
  });
});
