import { join } from 'node:path';
import { ConfigError } from '@parley/config';
import type { ChatSocketConfig } from '../config.js';
import type { AttachmentStore } from './attachment-store.js';
import { LocalAttachmentStore } from './local-attachment-store.js';
import { S3AttachmentStore } from './s3-attachment-store.js';

/** The store ATTACHMENT_STORAGE names: a local directory by default, or an S3-compatible bucket. */
export function createAttachmentStore(config: ChatSocketConfig): AttachmentStore & { close?(): void } {
  if (config.ATTACHMENT_STORAGE === 'local') return new LocalAttachmentStore(config.ATTACHMENT_DIR ?? join(config.DATA_DIR, 'attachments'));
  if (!config.ATTACHMENT_S3_BUCKET) throw new ConfigError(['ATTACHMENT_S3_BUCKET: required with ATTACHMENT_STORAGE=s3']);
  if (Boolean(config.ATTACHMENT_S3_ACCESS_KEY_ID) !== Boolean(config.ATTACHMENT_S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError(['ATTACHMENT_S3_ACCESS_KEY_ID and ATTACHMENT_S3_SECRET_ACCESS_KEY: set both or neither']);
  }
  return new S3AttachmentStore({
    bucket: config.ATTACHMENT_S3_BUCKET,
    region: config.ATTACHMENT_S3_REGION,
    forcePathStyle: config.ATTACHMENT_S3_FORCE_PATH_STYLE,
    ...(config.ATTACHMENT_S3_ENDPOINT ? { endpoint: config.ATTACHMENT_S3_ENDPOINT } : {}),
    ...(config.ATTACHMENT_S3_ACCESS_KEY_ID && config.ATTACHMENT_S3_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: config.ATTACHMENT_S3_ACCESS_KEY_ID, secretAccessKey: config.ATTACHMENT_S3_SECRET_ACCESS_KEY } }
      : {}),
  });
}
