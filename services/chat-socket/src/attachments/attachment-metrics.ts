import { Counter, Histogram, type Registry } from '@parley/metrics';

export interface AttachmentMetrics {
  uploads: Counter<'kind'>;
  uploadBytes: Counter<'kind'>;
  processingSeconds: Histogram;
  deleted: Counter<'reason'>;
}

export function createAttachmentMetrics(registry: Registry): AttachmentMetrics {
  const registers = [registry];
  const metrics: AttachmentMetrics = {
    uploads: new Counter({ name: 'parley_attachment_uploads_total', help: 'Files stored by uploads, by kind (`image`: re-encoded; `file`: kept as sent).', labelNames: ['kind'], registers }),
    uploadBytes: new Counter({ name: 'parley_attachment_stored_bytes_total', help: 'Bytes stored by uploads (after re-encoding; thumbnails not counted), by kind.', labelNames: ['kind'], registers }),
    processingSeconds: new Histogram({
      name: 'parley_attachment_image_processing_seconds',
      help: 'Time to decode, re-encode and thumbnail one uploaded image (CPU on this pod).',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    deleted: new Counter({ name: 'parley_attachments_deleted_total', help: 'Files deleted by the cleanup jobs: `unsent` (no message carried them) or `message_deleted`.', labelNames: ['reason'], registers }),
  };
  for (const kind of ['image', 'file']) {
    metrics.uploads.inc({ kind }, 0);
    metrics.uploadBytes.inc({ kind }, 0);
  }
  for (const reason of ['unsent', 'message_deleted']) metrics.deleted.inc({ reason }, 0);
  return metrics;
}
