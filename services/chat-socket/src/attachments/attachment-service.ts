import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AttachmentLinks, AttachmentVariant, Message, MessageAttachment } from '@parley/contracts';
import { ForbiddenError, NotFoundError, ValidationError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { AttachmentCleanup } from './attachment-cleanup-queue.js';
import type { AttachmentMetrics } from './attachment-metrics.js';
import { toMessageAttachment, type AttachmentRepository, type AttachmentRow } from './attachment-repository.js';
import { attachmentStorageKey, type AttachmentStore } from './attachment-store.js';
import { sniffContentType } from './content-sniffing.js';
import { processImage, THUMBNAIL_CONTENT_TYPE } from './image-processing.js';
import type { DownloadSigner } from './signed-urls.js';

export interface AttachmentServiceSettings {
  repository: AttachmentRepository;
  store: AttachmentStore;
  rooms: Pick<RoomRepository, 'roleOf' | 'findRoom'>;
  signer: DownloadSigner;
  cleanup: AttachmentCleanup;
  urlTtlSeconds: number;
  logger: Logger;
  metrics: AttachmentMetrics;
}

export interface Download {
  stream: Readable;
  contentType: string;
  name: string;
  /** Images and thumbnails are shown inline; everything else is only downloaded. */
  inline: boolean;
}

/**
 * Uploads, signed downloads, and the files of messages (docs/decisions/0036-attachments.md).
 * Every operation is for a member of the file's room; a signed URL names its user, who must
 * still be a member when it is used.
 */
export class AttachmentService {
  constructor(private readonly settings: AttachmentServiceSettings) {}

  async upload(userId: string, roomId: string, name: string | undefined, bytes: Buffer): Promise<MessageAttachment> {
    await this.requireMember(userId, roomId);
    const id = randomUUID();
    const sniffed = sniffContentType(bytes);
    const storageKey = attachmentStorageKey(roomId, id, 'original');
    let row: Parameters<AttachmentRepository['insert']>[0];
    if (sniffed.kind === 'image') {
      const stopTimer = this.settings.metrics.processingSeconds.startTimer();
      const image = await processImage(bytes, sniffed.contentType);
      stopTimer();
      const thumbnailKey = attachmentStorageKey(roomId, id, 'thumbnail');
      await this.settings.store.put(storageKey, image.bytes, image.contentType);
      await this.settings.store.put(thumbnailKey, image.thumbnail, THUMBNAIL_CONTENT_TYPE);
      row = { id, room_id: roomId, uploader_id: userId, name: name ?? `image-${id.slice(0, 8)}`, kind: 'image', content_type: image.contentType, size: image.bytes.length, width: image.width, height: image.height, storage_key: storageKey, thumbnail_key: thumbnailKey };
    } else {
      await this.settings.store.put(storageKey, bytes, sniffed.contentType);
      row = { id, room_id: roomId, uploader_id: userId, name: name ?? `file-${id.slice(0, 8)}`, kind: 'file', content_type: sniffed.contentType, size: bytes.length, width: null, height: null, storage_key: storageKey, thumbnail_key: null };
    }
    await this.settings.repository.insert(row);
    this.settings.metrics.uploads.inc({ kind: row.kind });
    this.settings.metrics.uploadBytes.inc({ kind: row.kind }, row.size);
    // Deleted after the TTL unless a stored message carries it by then.
    await this.settings.cleanup.scheduleUnsent(id);
    return toMessageAttachment({ ...row, size: String(row.size), client_msg_id: null });
  }

  /** Signed URLs for the caller (a member of the file's room). */
  async links(userId: string, roomId: string, attachmentId: string): Promise<AttachmentLinks> {
    await this.requireMember(userId, roomId);
    const row = await this.settings.repository.find(attachmentId);
    if (!row || row.room_id !== roomId) throw new NotFoundError('No such attachment');
    // An upload no message carries yet is its uploader's alone.
    if (row.client_msg_id === null && row.uploader_id !== userId) throw new NotFoundError('No such attachment');
    const expires = Math.floor(Date.now() / 1000) + this.settings.urlTtlSeconds;
    const url = (variant: AttachmentVariant) => {
      const signature = this.settings.signer.sign({ attachmentId, variant, userId, expires });
      const query = new URLSearchParams({ variant, user: userId, expires: String(expires), signature });
      return `/api/v1/rooms/${roomId}/attachments/${attachmentId}/content?${query.toString()}`;
    };
    return {
      url: url('original'),
      ...(row.thumbnail_key ? { thumbnailUrl: url('thumbnail') } : {}),
      expiresAt: new Date(expires * 1000).toISOString(),
    };
  }

  /** A signed download: signature, expiry, membership, then the bytes. */
  async download(roomId: string, attachmentId: string, grant: { variant: AttachmentVariant; user: string; expires: number; signature: string }): Promise<Download> {
    const { variant, user, expires, signature } = grant;
    if (!this.settings.signer.verify({ attachmentId, variant, userId: user, expires }, signature)) throw new ForbiddenError('This link is not valid');
    if (expires * 1000 < Date.now()) throw new ForbiddenError('This link has expired');
    if (!(await this.settings.rooms.roleOf(roomId, user))) throw new ForbiddenError('Only members of the room can download its files');
    const row = await this.settings.repository.find(attachmentId);
    if (!row || row.room_id !== roomId) throw new NotFoundError('No such attachment');
    const key = variant === 'thumbnail' ? row.thumbnail_key : row.storage_key;
    if (!key) throw new NotFoundError('This attachment has no thumbnail');
    const stream = await this.settings.store.get(key);
    if (!stream) throw new NotFoundError('No such attachment');
    if (variant === 'thumbnail') return { stream, contentType: THUMBNAIL_CONTENT_TYPE, name: row.name, inline: true };
    return { stream, contentType: row.content_type, name: row.name, inline: row.kind === 'image' };
  }

  /**
   * The files a send names, claimed for its message (see AttachmentRepository.claim); refused
   * unless every one was uploaded by the sender to this room and no other message carries it.
   */
  async claim(senderId: string, roomId: string, clientMsgId: string, ids: string[]): Promise<MessageAttachment[]> {
    const rows = await this.settings.repository.claim(ids, senderId, roomId, clientMsgId);
    if (!rows) throw new ValidationError('Attachments must be your own uploads to this room, not sent with another message', [{ path: 'attachments', message: 'not attachable' }]);
    return rows.map(toMessageAttachment);
  }

  async release(senderId: string, clientMsgId: string, ids: string[]): Promise<void> {
    await this.settings.repository.release(ids, senderId, clientMsgId);
  }

  /**
   * Fills in the files of messages read from storage (accepted messages carry them already),
   * and takes them off deleted messages.
   */
  async describe(messages: Message[]): Promise<void> {
    const lacking = messages.filter((message) => (message.kind ?? 'message') === 'message' && !message.deletedAt && !message.attachments);
    for (const message of messages) if (message.deletedAt) delete message.attachments;
    const files = await this.filesOf(lacking);
    for (const message of lacking) {
      const own = files.get(message);
      if (own) message.attachments = own;
    }
  }

  /**
   * The files of stored, live messages, by message (those without files are absent); for whatever
   * reads stored messages as something else than a Message (search hits). The caller has checked
   * that the reader is a member of each message's room.
   */
  async filesOf<T extends { senderId: string; clientMsgId: string; roomId: string }>(messages: readonly T[]): Promise<Map<T, MessageAttachment[]>> {
    const result = new Map<T, MessageAttachment[]>();
    if (messages.length === 0) return result;
    const rows = await this.settings.repository.ofMessages([...messages]);
    if (rows.length === 0) return result;
    const byMessage = new Map<string, AttachmentRow[]>();
    for (const row of rows) {
      const key = `${row.room_id}:${row.uploader_id}:${row.client_msg_id}`;
      byMessage.set(key, [...(byMessage.get(key) ?? []), row]);
    }
    for (const message of messages) {
      const own = byMessage.get(`${message.roomId}:${message.senderId}:${message.clientMsgId}`);
      if (own) result.set(message, own.map(toMessageAttachment));
    }
    return result;
  }

  /** A message was deleted: its files go after the grace period. */
  async messageDeleted(messageId: string): Promise<void> {
    await this.settings.cleanup.scheduleDeletedMessage(messageId);
  }

  /**
   * Cleanup job of a deleted message. False: the deletion is not stored yet (the job is retried).
   */
  async purgeDeletedMessage(messageId: string): Promise<boolean> {
    const rows = await this.settings.repository.ofDeletedMessage(messageId);
    if (rows === null) return false;
    for (const row of rows) await this.purge(row, 'message_deleted');
    return true;
  }

  /** Cleanup job of an upload after the TTL: gone unless a stored message carries it. */
  async purgeIfUnsent(attachmentId: string): Promise<void> {
    if (!(await this.settings.repository.isUnsent(attachmentId))) return;
    const row = await this.settings.repository.find(attachmentId);
    if (row) await this.purge(row, 'unsent');
  }

  private async purge(row: AttachmentRow, reason: 'unsent' | 'message_deleted'): Promise<void> {
    // Bytes first: a retry after a failure finds the row and deletes again.
    await this.settings.store.delete(row.storage_key);
    if (row.thumbnail_key) await this.settings.store.delete(row.thumbnail_key);
    await this.settings.repository.remove(row.id);
    this.settings.metrics.deleted.inc({ reason });
    this.settings.logger.info({ attachmentId: row.id, roomId: row.room_id, reason }, 'attachment deleted');
  }

  private async requireMember(userId: string, roomId: string): Promise<void> {
    if (await this.settings.rooms.roleOf(roomId, userId)) return;
    if (!(await this.settings.rooms.findRoom(roomId))) throw new NotFoundError('No such room');
    throw new ForbiddenError('Only members of the room can do this');
  }
}
