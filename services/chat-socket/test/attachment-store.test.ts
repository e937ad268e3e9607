import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentStorageKey, type AttachmentStore } from '../src/attachments/attachment-store.js';
import { LocalAttachmentStore } from '../src/attachments/local-attachment-store.js';
import { S3AttachmentStore } from '../src/attachments/s3-attachment-store.js';
import { startS3TestServer, type S3TestServer } from './support/s3-test-server.js';

let s3: S3TestServer;
let directory: string;
const stores: Record<string, AttachmentStore> = {};

beforeAll(async () => {
  s3 = await startS3TestServer();
  directory = await mkdtemp(join(tmpdir(), 'parley-attachments-'));
  stores.local = new LocalAttachmentStore(directory);
  stores.s3 = new S3AttachmentStore({
    bucket: s3.bucket,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
});

afterAll(async () => {
  (stores.s3 as S3AttachmentStore | undefined)?.close();
  await s3?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

describe.each(['local', 's3'])('the %s attachment store', (name) => {
  const key = () => attachmentStorageKey(randomUUID(), randomUUID(), 'original');

  it('gives back exactly the bytes it was given, as a stream', async () => {
    const store = stores[name]!;
    const k = key();
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, index) => index % 251));
    await store.put(k, bytes, 'application/octet-stream');
    expect(await store.exists(k)).toBe(true);
    expect((await readAll((await store.get(k))!)).equals(bytes)).toBe(true);
  });

  it('answers null and false for what it does not hold, and deleting it twice is no error', async () => {
    const store = stores[name]!;
    const k = key();
    expect(await store.get(k)).toBeNull();
    expect(await store.exists(k)).toBe(false);
    await store.put(k, Buffer.from('gone soon'), 'text/plain');
    await store.delete(k);
    await store.delete(k);
    expect(await store.exists(k)).toBe(false);
    expect(await store.get(k)).toBeNull();
  });

  it('refuses keys that are not made of ids (no path traversal, no foreign keys)', async () => {
    const store = stores[name]!;
    for (const bad of ['../../etc/passwd', 'rooms/../../x/original', 'rooms/abc/original', '/rooms/x']) {
      await expect(store.put(bad, Buffer.from('x'), 'text/plain')).rejects.toThrow(/not an attachment storage key/);
      await expect(store.exists(bad)).rejects.toThrow(/not an attachment storage key/);
    }
  });
});
