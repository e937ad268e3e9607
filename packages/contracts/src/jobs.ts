import { z } from 'zod';

import { messageSchema, messageSeqSchema, unsequencedMessageSchema } from './chat.js';
import { userIdSchema } from './common.js';
import { MENTIONS_MAX } from './replies.js';

/** W3C trace context (`traceparent`, `tracestate`) carried in job data so one message is one trace. */
export const traceCarrierSchema = z.record(z.string(), z.string()).optional();

/**
 * One job persists one or more batches of accepted messages (enqueues are batched for
 * throughput, and a batch may join the job still waiting in its queue,
 * docs/decisions/0048-batches-join-the-waiting-job.md). A batch holds messages of many traces: `trace` is the batch's own (the producer's accept span; the
 * worker's job span continues it and links to every message), `messageTraces` each message's
 * (its enqueue span; the worker continues each message's trace with spans of its own).
 */
export const persistMessagesJobSchema = z.object({
  /**
   * The batch's messages. Their room sequence numbers are assigned by the accept script, after
   * the job's data was written, so they come from the accepted hash (`acceptedKey`); a job
   * without one carries them here.
   */
  messages: z.array(unsequencedMessageSchema.extend({ seq: messageSeqSchema.optional() })).min(1),
  /**
   * Server accept time per message id, epoch ms, for the persistence-lag metric. No longer
   * written (a message's `createdAt` is the same instant, and the worker reads that); still read
   * from jobs queued by earlier versions.
   */
  acceptedAt: z.record(z.string(), z.number()).optional(),
  /**
   * Redis hash of the batch's accepted messages, id → room sequence number, written by the same
   * script as the job: only those are stored (the others were duplicates or rate limited).
   * Absent: every message is stored, with the `seq` it carries.
   */
  acceptedKey: z.string().min(1).optional(),
  trace: traceCarrierSchema,
  /** W3C trace context per message id. */
  messageTraces: z.record(z.string(), z.record(z.string(), z.string())).optional(),
});
export type PersistMessagesJob = z.infer<typeof persistMessagesJobSchema>;

export const notificationJobSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    message: messageSchema,
    /** Members with no socket online when the message was accepted. */
    offlineUserIds: z.array(userIdSchema),
    trace: traceCarrierSchema,
  }),
  z.object({
    /** The message mentions these members (not its sender): each is told, online or not. */
    kind: z.literal('mention'),
    message: messageSchema,
    mentionedUserIds: z.array(userIdSchema).min(1).max(MENTIONS_MAX),
    /** Those of them with no socket online when the message was stored: candidates for the email digest. */
    offlineUserIds: z.array(userIdSchema).max(MENTIONS_MAX).optional(),
    trace: traceCarrierSchema,
  }),
  z.object({
    /**
     * Delayed until the end of the user's digest window (named by the message id of the mention
     * that opened it): mails the user's pending mentions in one email. Job id
     * `mention-digest-<userId>-<windowId>` (docs/decisions/0037-mention-email-digest.md).
     */
    kind: z.literal('mention_digest'),
    userId: userIdSchema,
    windowId: z.string().regex(/^\d{1,19}$/),
    trace: traceCarrierSchema,
  }),
  z.object({
    kind: z.literal('friend_request'),
    requestId: userIdSchema,
    fromUserId: userIdSchema,
    toUserId: userIdSchema,
    trace: traceCarrierSchema,
  }),
  z.object({
    /** `fromUserId` accepted the request `toUserId` had sent: `toUserId` is told. */
    kind: z.literal('friend_accepted'),
    requestId: userIdSchema,
    fromUserId: userIdSchema,
    toUserId: userIdSchema,
    trace: traceCarrierSchema,
  }),
]);
export type NotificationJob = z.infer<typeof notificationJobSchema>;

export const mailJobSchema = z.object({
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
  /** Which template produced it, for logs and tests; never the secret itself. */
  kind: z.enum(['email-verification', 'password-reset', 'mention-digest', 'generic']),
});
export type MailJob = z.infer<typeof mailJobSchema>;

/**
 * Jobs of the `attachments` queue: delayed deletions of files. chat-socket both produces and
 * consumes them, since it is the process that holds the attachment store's settings.
 */
export const attachmentCleanupJobSchema = z.discriminatedUnion('kind', [
  /** After the TTL: the upload is deleted unless a stored message carries it. */
  z.strictObject({ kind: z.literal('unsent'), attachmentId: z.uuid() }),
  /** After the grace period: the files of a deleted message. */
  z.strictObject({ kind: z.literal('deleted-message'), messageId: z.string().regex(/^\d{1,19}$/) }),
]);
export type AttachmentCleanupJob = z.infer<typeof attachmentCleanupJobSchema>;
