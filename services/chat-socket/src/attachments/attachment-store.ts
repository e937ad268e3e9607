import type { Readable } from 'node:stream';

/**
 * Where attachment bytes live, behind one interface: a local directory (the default, so a
 * local start needs nothing) or an S3-compatible bucket. Keys are chosen by the service
 * (`rooms/<roomId>/<attachmentId>/<variant>`), never by clients.
 */
export interface AttachmentStore {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The stored bytes as a stream, or null when there is no such object. */
  get(key: string): Promise<Readable | null>;
  /** Deleting what is not there is not an error (cleanup jobs are retried). */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

/** Keys are made of ids only: anything else is a bug, refused before it reaches a path or a bucket. */
export function assertStorageKey(key: string): void {
  if (!/^[a-z]+(\/[0-9a-f-]{36})+\/[a-z]+$/.test(key)) throw new Error(`not an attachment storage key: ${key}`);
}

export function attachmentStorageKey(roomId: string, attachmentId: string, variant: 'original' | 'thumbnail'): string {
  return `rooms/${roomId}/${attachmentId}/${variant}`;
}
