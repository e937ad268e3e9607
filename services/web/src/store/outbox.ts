import { z } from 'zod';
import { clientMsgIdSchema, MESSAGE_ATTACHMENTS_MAX, MESSAGE_BODY_MAX, messageAttachmentSchema, messageIdSchema, roomIdSchema } from '@parley/contracts';
import { readStored, storageKeys, writeStored } from '../storage/browser-storage';

const outboxEntrySchema = z.object({
  roomId: roomIdSchema,
  clientMsgId: clientMsgIdSchema,
  body: z.string().min(1).max(MESSAGE_BODY_MAX),
  createdAt: z.string(),
  /** A reply: the message of the same room it answers. */
  replyTo: messageIdSchema.optional(),
  /** Files already uploaded, sent with the message. */
  attachments: z.array(messageAttachmentSchema).max(MESSAGE_ATTACHMENTS_MAX).optional(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

/** More than this many unsent messages and the oldest are not kept across a reload. */
const MAX_ENTRIES = 500;

/**
 * Messages written but not acknowledged, in the order they were written, kept in localStorage
 * so they survive a reload or a closed tab. Each keeps its clientMsgId: sending one again (from
 * this tab after a reconnect, or from another tab of the same user) stores it at most once.
 */
export class Outbox {
  private readonly key: string;
  private entries: OutboxEntry[];

  constructor(userId: string) {
    this.key = storageKeys.outbox(userId);
    this.entries = this.read();
  }

  list(): readonly OutboxEntry[] {
    return this.entries;
  }

  add(entry: OutboxEntry): void {
    this.entries = [...this.read().filter((other) => other.clientMsgId !== entry.clientMsgId), entry].slice(-MAX_ENTRIES);
    this.write();
  }

  remove(clientMsgId: string): void {
    this.entries = this.read().filter((entry) => entry.clientMsgId !== clientMsgId);
    this.write();
  }

  has(clientMsgId: string): boolean {
    return this.entries.some((entry) => entry.clientMsgId === clientMsgId);
  }

  /** Other tabs add and remove entries too: each change starts from what is stored now. */
  private read(): OutboxEntry[] {
    return readStored(this.key, z.array(outboxEntrySchema)) ?? this.entries ?? [];
  }

  private write(): void {
    writeStored(this.key, this.entries);
  }
}
