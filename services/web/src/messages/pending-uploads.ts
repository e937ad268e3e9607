import { useCallback, useRef, useState } from 'react';
import { MESSAGE_ATTACHMENTS_MAX, type MessageAttachment } from '@parley/contracts';
import { describeError } from '../api/error-messages';

/** Uploads one file; reports progress as bytes sent of the total. */
export type AttachmentUploader = (file: File, onProgress: (sent: number, total: number) => void) => Promise<MessageAttachment>;

export interface PendingUpload {
  key: number;
  name: string;
  /** 0 to 1. */
  progress: number;
  attachment?: MessageAttachment;
  error?: string;
}

/** The files attached to the message being written: uploading, uploaded or refused. */
export function usePendingUploads(upload: AttachmentUploader | undefined) {
  const [uploads, setUploads] = useState<PendingUpload[]>([]);
  const nextKey = useRef(0);

  const update = (key: number, change: Partial<PendingUpload>) => setUploads((list) => list.map((item) => (item.key === key ? { ...item, ...change } : item)));

  const add = useCallback(
    (files: File[]) => {
      if (!upload) return;
      setUploads((list) => {
        const room = MESSAGE_ATTACHMENTS_MAX - list.length;
        const accepted = files.slice(0, Math.max(0, room)).map((file) => ({ file, key: (nextKey.current += 1) }));
        for (const { file, key } of accepted) {
          upload(file, (sent, total) => update(key, { progress: total > 0 ? sent / total : 0 })).then(
            (attachment) => update(key, { attachment, progress: 1 }),
            (error: unknown) => update(key, { error: describeError(error) }),
          );
        }
        return [...list, ...accepted.map(({ file, key }) => ({ key, name: file.name || 'pasted image', progress: 0 }))];
      });
    },
    [upload],
  );

  const remove = useCallback((key: number) => setUploads((list) => list.filter((item) => item.key !== key)), []);
  const clear = useCallback(() => setUploads([]), []);
  const ready = uploads.flatMap((item) => (item.attachment ? [item.attachment] : []));
  const busy = uploads.some((item) => !item.attachment && !item.error);
  return { uploads, add, remove, clear, ready, busy };
}
