import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver ships no types: a pure-npm server of the S3 protocol, started on a loopback port.
// @ts-expect-error -- untyped module
import S3rver from 's3rver';

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

/** An S3-protocol server on 127.0.0.1 (a free port), one empty bucket, files in a temporary directory. */
export async function startS3TestServer(bucket = 'parley-attachments'): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'parley-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] }) as {
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  };
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    // s3rver's fixed credentials: it checks signatures made with them.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The chat-socket environment that keeps attachments in `s3`'s bucket. */
export function s3AttachmentEnv(s3: S3TestServer): Record<string, string> {
  return {
    ATTACHMENT_STORAGE: 's3',
    ATTACHMENT_S3_BUCKET: s3.bucket,
    ATTACHMENT_S3_ENDPOINT: s3.endpoint,
    ATTACHMENT_S3_FORCE_PATH_STYLE: 'true',
    ATTACHMENT_S3_ACCESS_KEY_ID: s3.accessKeyId,
    ATTACHMENT_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
}
