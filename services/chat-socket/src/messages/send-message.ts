import { performance } from 'node:perf_hooks';
import type { Redis } from '@parley/redis';
import type { Message, MessageAttachment, ReplyQuote, TimelineEventKind } from '@parley/contracts';
import { ForbiddenError, RateLimitedError, UnavailableError, ValidationError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import type { MessageKeyLayout } from '@parley/queues';
import { markBatchSampleBucket, type Context, type Span } from '@parley/tracing';
import { acceptedHashKey, idempotencyKey, recentWindowKey, roomSequenceKey, sendRateKey, unpersistedBatchesKey, unpersistedMessagesKey } from '@parley/keyspace';
import type { MessageDurability } from '../durability/message-durability.js';
import { decodeSnowflake, type SnowflakeGenerator } from '../ids/snowflake.js';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import type { DirectRoomBlocks } from '../rooms/direct-room-blocks.js';
import type { RoomRepository } from '../rooms/room-repository.js';
import { acceptBatch, defineAcceptBatch, type AcceptOutcome, type AcceptReply, type BatchJobCall } from './accept-script.js';
import type { MessageQueue } from './message-queue.js';
import { MicroBatcher } from './micro-batcher.js';
import type { SenderRateGate } from './sender-rate-gate.js';
import { sendTracing } from './send-tracing.js';

export interface SendRequest {
  senderId: string;
  roomId: string;
  clientMsgId: string;
  /** Already validated and trimmed (messageBodySchema). */
  body: string;
  /**
   * True when the sender's socket is in the room's channel. Membership changes move sockets in
   * and out of channels on every pod before they return, so this spares the batch's database
   * query; anything else (REST sends, a socket that joined after connecting) is checked there.
   */
  memberVerified?: boolean;
  /** performance.now() when the request's frame arrived (socket sends), so ack latency includes queueing. */
  receivedAt?: number;
  /**
   * A timeline event instead of a message (edit, deletion, reaction), already authorized by the
   * timeline service; it takes the same path: one accept script, sequence number, job, broadcast.
   */
  event?: TimelineChange;
  /**
   * Replies: the parent, in the same room. Checked, and `replyQuote` filled in, by the
   * composer (replies/message-composer.ts) before it gets here; this path trusts both.
   */
  replyTo?: string;
  replyQuote?: ReplyQuote;
  /** Members the body mentions, resolved by the composer. */
  mentions?: string[];
  /** Uploads the message carries (attachment ids, already validated in form). */
  attachmentIds?: string[];
}

/**
 * Claims the files a send names for its message (attachments/, docs/decisions/0036-attachments.md):
 * refused unless each is the sender's upload to the room and no other message carries it.
 */
export interface AttachmentClaims {
  claim(senderId: string, roomId: string, clientMsgId: string, ids: string[]): Promise<MessageAttachment[]>;
  /** Frees the claims of a send that was refused (nothing accepted). */
  release(senderId: string, clientMsgId: string, ids: string[]): Promise<void>;
}

/** What a timeline event changes. */
export interface TimelineChange {
  kind: TimelineEventKind;
  targetId: string;
  emoji?: string;
}

export interface SendResult {
  message: Message;
  /** False when this was a retry of an already accepted message (nothing was delivered again). */
  created: boolean;
}

export interface SendMessageSettings {
  /** Dedicated connection: the accept scripts and WAIT share it. */
  redis: Redis;
  /**
   * Where each shard's message-path keys live (MESSAGE_SHARD_KEYS): a shard's batch runs its
   * script on that shard's keys only (docs/decisions/0043-hash-tag-per-message-shard.md).
   */
  messageKeys: Pick<MessageKeyLayout, 'prefixOfShard'>;
  rooms: RoomRepository;
  /** Blocks between the two users of a direct room stop their messages. */
  directBlocks: Pick<DirectRoomBlocks, 'blockedRooms'>;
  queue: MessageQueue;
  ids: SnowflakeGenerator;
  metrics: ChatMetrics;
  logger: Logger;
  ratePerSecond: number;
  burst: number;
  /**
   * Present with MESSAGE_SHARD_KEYS=shard: takes the senders' tokens in the install's slot before
   * a shard's script, so the limit holds per sender, not per shard (the script then skips its own).
   */
  senderRateGate?: Pick<SenderRateGate, 'admit'>;
  batchMaxWaitMs: number;
  batchMaxSize: number;
  /** SEND_MERGE_MAX_MESSAGES: a batch joins its queue's waiting job while that holds fewer messages (0: never). */
  mergeMaxMessages: number;
  idempotencyTtlSeconds: number;
  windowSize: number;
  /** Waits, after each batch's script, for what MESSAGE_DURABILITY promises. */
  durability: Pick<MessageDurability, 'confirm'>;
  /** Creates the sequence counters of rooms that have none (see room-sequence-counter.ts). */
  seedSequences(roomIds: string[]): Promise<void>;
  /** Broadcasts an accepted message (after its sender's ack). */
  deliver(message: Message): void;
  /** Absent: sends that name attachments are refused. */
  attachments?: AttachmentClaims;
}

interface PendingSend extends SendRequest {
  /** The claimed files, described in the message. */
  attachments?: MessageAttachment[];
  receivedAt: number;
  /** The context the send was made in (its socket event or HTTP request span). */
  trace: Context;
  resolve(result: SendResult): void;
  reject(error: unknown): void;
}

interface Candidate {
  send: PendingSend;
  /** Its `seq` is 0 until the accept script assigns it (set in place: one object shape). */
  message: Message;
  /** The message as JSON, ending in `"seq":0}` (the script writes the number there). */
  json: string;
  /** The message's `messages enqueue` span (ended by settle or by a failed enqueue). */
  span: Span;
}

/** The window outlives the idempotency keys so retried history reads stay consistent. */
const WINDOW_TTL_SECONDS = 7 * 24 * 3_600;

/**
 * The one send path of the socket event and the REST endpoint. Sends are micro-batched: per
 * batch (membership comes from the socket's channels or one query) ONE script in Redis accepts
 * the messages (rate limit, idempotency, room sequence numbers, recent window, accepted hash)
 * and writes the batch's persistence job, both or neither; only once that is as durable as
 * MESSAGE_DURABILITY says are senders acknowledged and messages broadcast.
 */
export class SendMessageService {
  /**
   * One batcher per shard of the message queue: a shard's batches never overlap (a retry sees
   * its first attempt's outcome, and a room's sends keep their order, since a room stays in its
   * shard), while shards go on without waiting for each other, so a slow or failing shard (its
   * primary failing over, with MESSAGE_SHARD_KEYS=shard) holds up only its own rooms.
   */
  private readonly batchers: Array<MicroBatcher<PendingSend>>;

  constructor(private readonly settings: SendMessageSettings) {
    defineAcceptBatch(settings.redis);
    this.batchers = Array.from(
      { length: settings.queue.shards },
      (_, shard) =>
        new MicroBatcher<PendingSend>({
          maxWaitMs: settings.batchMaxWaitMs,
          maxSize: settings.batchMaxSize,
          process: (batch) =>
            sendTracing.inBatchSpan(
              batch.map((send) => send.trace),
              () => this.processBatch(shard, batch),
            ).catch((error: unknown) => {
              // Settled sends ignore this; the others must not hang.
              settings.logger.error({ err: error }, 'send batch failed');
              for (const send of batch) send.reject(new UnavailableError());
            }),
        }),
    );
  }

  send(request: SendRequest): Promise<SendResult> {
    if (request.attachmentIds && request.attachmentIds.length > 0) return this.sendWithAttachments(request, request.attachmentIds);
    return this.enqueue(request);
  }

  /** Claims the files first; a send refused for good frees them again (a retry may claim them). */
  private async sendWithAttachments(request: SendRequest, ids: string[]): Promise<SendResult> {
    const claims = this.settings.attachments;
    if (!claims || request.event) throw new ValidationError('This cannot carry attachments');
    const attachments = await claims.claim(request.senderId, request.roomId, request.clientMsgId, ids);
    try {
      return await this.enqueue(request, attachments);
    } catch (error) {
      // `unavailable` may have been accepted after all: its retry (same clientMsgId) keeps the claim.
      if (error instanceof ForbiddenError || error instanceof RateLimitedError) {
        await claims.release(request.senderId, request.clientMsgId, ids).catch((releaseError: unknown) => {
          this.settings.logger.warn({ err: releaseError }, 'cannot release attachment claims');
        });
      }
      throw error;
    }
  }

  private enqueue(request: SendRequest, attachments?: MessageAttachment[]): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      // Field by field rather than a spread of the request: every message passes here.
      const batcher = this.batchers.length === 1 ? this.batchers[0]! : this.batchers[this.settings.queue.shardOf(request.roomId)]!;
      batcher.add({
        senderId: request.senderId,
        roomId: request.roomId,
        clientMsgId: request.clientMsgId,
        body: request.body,
        memberVerified: request.memberVerified,
        event: request.event,
        replyTo: request.replyTo,
        replyQuote: request.replyQuote,
        mentions: request.mentions,
        attachments,
        receivedAt: request.receivedAt ?? performance.now(),
        trace: sendTracing.capture(),
        resolve,
        reject,
      });
    });
  }

  /** Accepts everything collected so far (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.all(this.batchers.map((batcher) => batcher.drain()));
  }

  private async processBatch(shard: number, batch: PendingSend[]): Promise<void> {
    this.settings.metrics.sendBatchMessages.observe(batch.length);
    let members: Set<string>;
    let blockedRooms: Set<string>;
    try {
      const unverified = batch.filter((send) => !send.memberVerified);
      members = await this.settings.rooms.membershipsAmong(unverified.map((send) => ({ roomId: send.roomId, userId: send.senderId })));
      blockedRooms = await this.settings.directBlocks.blockedRooms(batch.map((send) => send.roomId));
    } catch (error) {
      this.settings.logger.warn({ err: error }, 'membership or block check failed for a send batch');
      for (const send of batch) send.reject(error instanceof UnavailableError ? error : new UnavailableError());
      return;
    }
    const candidates: Candidate[] = [];
    const batchSize = batch.length;
    for (const send of batch) {
      if (!send.memberVerified && !members.has(`${send.roomId}:${send.senderId}`)) {
        send.reject(new ForbiddenError('Only members of the room can send to it'));
        continue;
      }
      if (blockedRooms.has(send.roomId)) {
        send.reject(new ForbiddenError('You cannot send messages to this user'));
        continue;
      }
      const id = await this.settings.ids.next();
      // seq last, 0 until the script assigns it: the JSON ends in `"seq":0}` (see accept-script.ts).
      const createdAt = new Date(decodeSnowflake(id).timestampMs).toISOString();
      const message: Message = send.event
        ? { id, roomId: send.roomId, senderId: send.senderId, clientMsgId: send.clientMsgId, body: send.body, createdAt, ...timelineFields(send.event), seq: 0 }
        : send.replyQuote !== undefined || send.mentions !== undefined || send.attachments
          ? { id, roomId: send.roomId, senderId: send.senderId, clientMsgId: send.clientMsgId, body: send.body, createdAt, ...replyFields(send), ...(send.attachments ? { attachments: send.attachments } : {}), seq: 0 }
          : { id, roomId: send.roomId, senderId: send.senderId, clientMsgId: send.clientMsgId, body: send.body, createdAt, seq: 0 };
      candidates.push({ send, message, json: JSON.stringify(message), span: sendTracing.startEnqueue(send.trace, message, batchSize) });
    }
    if (candidates.length === 0) return;
    // The batch's sampling bucket: kept whenever one of its messages' traces is.
    markBatchSampleBucket(candidates.map((candidate) => candidate.message.id));

    // The batch is all of one shard of the message queue (docs/decisions/0041-sharded-message-queues.md):
    // one script on that shard's keys accepts it and writes its job, both or neither. The job
    // carries every admitted candidate; the worker stores only the ids the script put in the
    // batch's accepted hash.
    const decided: Array<{ candidate: Candidate; reply: AcceptReply }> = [];
    const admitted = await this.admitBySenderRate(candidates, decided);
    if (!admitted) return;
    const prefix = this.settings.messageKeys.prefixOfShard(shard);
    if (admitted.length > 0) {
      const acceptedKey = acceptedHashKey(prefix, admitted[0]!.message.id);
      try {
        const outcome = await this.accept(admitted, prefix, acceptedKey, await this.jobCall(shard, admitted, acceptedKey));
        if (outcome.jobId !== null) this.settings.metrics.sendBatches.inc({ job: outcome.joined ? 'joined' : 'added' });
        admitted.forEach((candidate, index) => decided.push({ candidate, reply: outcome.replies[index]! }));
      } catch (error) {
        this.settings.logger.warn({ err: error, shard }, 'cannot accept a send batch; nothing of it was accepted');
        this.refuse(admitted, error, 'Cannot accept messages right now, try again');
      }
    }
    if (decided.length === 0) return;
    const accepted: Candidate[] = [];
    for (const { candidate, reply } of decided) {
      if (reply[0] === 'ok') {
        candidate.message.seq = Number(reply[1]);
        accepted.push(candidate);
      }
    }
    if (!(await this.settings.durability.confirm(unpersistedBatchesKey(prefix)))) {
      // Accepted and queued, but not yet as durable as promised: not acknowledged. A retry
      // returns the same message once it is; receivers fill its sequence gap from history.
      const unconfirmed = decided.filter(({ reply }) => reply[0] !== 'limited').map(({ candidate }) => candidate);
      this.settings.metrics.messagesUnconfirmed.inc(accepted.length);
      this.refuse(unconfirmed, new UnavailableError('not confirmed by enough replicas'), 'Your message is not confirmed yet, send it again');
      for (const { candidate, reply } of decided) if (reply[0] === 'limited') this.settle(candidate, reply);
      return;
    }

    for (const { candidate, reply } of decided) this.settle(candidate, reply);
    if (accepted.length > 0) {
      this.settings.metrics.messagesAccepted.inc(accepted.length);
      // After the acks above have been written: broadcast.
      setImmediate(() => {
        for (const candidate of accepted) this.settings.deliver(candidate.message);
      });
    }
  }

  /**
   * With a SenderRateGate, the candidates its buckets admit; the others are decided `limited`
   * (added to `decided`). Undefined when the gate could not be asked: everything was refused.
   */
  private async admitBySenderRate(candidates: Candidate[], decided: Array<{ candidate: Candidate; reply: AcceptReply }>): Promise<Candidate[] | undefined> {
    const gate = this.settings.senderRateGate;
    if (!gate) return candidates;
    let refusedRetryMs: Array<number | null>;
    try {
      ({ refusedRetryMs } = await gate.admit(candidates.map((candidate) => candidate.send.senderId)));
    } catch (error) {
      this.settings.logger.warn({ err: error }, 'cannot take the senders\' tokens for a send batch; nothing of it was accepted');
      this.refuse(candidates, error, 'Cannot accept messages right now, try again');
      return undefined;
    }
    const admitted: Candidate[] = [];
    candidates.forEach((candidate, index) => {
      const retryMs = refusedRetryMs[index];
      if (retryMs === null || retryMs === undefined) admitted.push(candidate);
      else decided.push({ candidate, reply: ['limited', String(retryMs)] });
    });
    return admitted;
  }

  /**
   * Runs the batch's script on the keys under `redisKeyPrefix` (its shard's); rooms without a sequence counter get one (from what is stored) and
   * the script runs again. Nothing is written by a run that finds unseeded rooms.
   */
  private async accept(candidates: Candidate[], redisKeyPrefix: string, acceptedKey: string, job: BatchJobCall): Promise<Extract<AcceptOutcome, { kind: 'decided' }>> {
    const keyed = candidates.map(({ send, message, json }) => ({
      bucketKey: sendRateKey(redisKeyPrefix, send.senderId),
      idempotencyKey: idempotencyKey(redisKeyPrefix, send.senderId, send.clientMsgId),
      windowKey: recentWindowKey(redisKeyPrefix, send.roomId),
      sequenceKey: roomSequenceKey(redisKeyPrefix, send.roomId),
      messageJson: json,
      messageId: message.id,
    }));
    for (let attempt = 0; ; attempt += 1) {
      const startedAt = performance.now();
      // Observed for failed runs too: a Redis outage shows as the time its calls took to fail.
      const outcome = await acceptBatch(
        this.settings.redis,
        {
          acceptedKey,
          unpersistedBatchesKey: unpersistedBatchesKey(redisKeyPrefix),
          unpersistedMessagesKey: unpersistedMessagesKey(redisKeyPrefix),
          job,
          mergeMaxMessages: this.settings.mergeMaxMessages,
          nowMs: Date.now(),
          // 0: the gate took the senders' tokens already.
          ratePerSecond: this.settings.senderRateGate ? 0 : this.settings.ratePerSecond,
          burst: this.settings.burst,
          windowSize: this.settings.windowSize,
          idempotencyTtlSeconds: this.settings.idempotencyTtlSeconds,
          windowTtlSeconds: WINDOW_TTL_SECONDS,
        },
        keyed,
      ).finally(() => this.settings.metrics.sendAcceptSeconds.observe((performance.now() - startedAt) / 1000));
      if (outcome.kind === 'decided') return outcome;
      if (attempt > 0) throw new Error('room sequence counters still missing after seeding');
      await this.settings.seedSequences(outcome.positions.map((position) => candidates[position]!.send.roomId));
    }
  }

  /** BullMQ's call for the one job of the batch's part in `shard`, naming its accepted hash. */
  private jobCall(shard: number, candidates: Candidate[], acceptedKey: string): Promise<BatchJobCall> {
    return this.settings.queue.jobCall(
      shard,
      candidates.map((candidate) => candidate.message),
      acceptedKey,
      {
        batch: sendTracing.carrier(),
        messages: Object.fromEntries(
          candidates.flatMap(({ message, span }) => {
            const carrier = sendTracing.carrier(span);
            return carrier ? [[message.id, carrier]] : [];
          }),
        ),
      },
    );
  }

  private refuse(candidates: Candidate[], cause: unknown, message: string): void {
    for (const candidate of candidates) {
      sendTracing.end(candidate.span, 'unavailable', cause);
      candidate.send.reject(new UnavailableError(message));
    }
  }

  private settle(candidate: Candidate, reply: AcceptReply): void {
    const { send } = candidate;
    if (reply[0] === 'limited') {
      sendTracing.end(candidate.span, 'rate_limited');
      this.settings.metrics.sendRateLimited.inc();
      send.reject(new RateLimitedError(Math.max(1, Math.ceil(Number(reply[1]) / 1000)), 'You are sending messages too fast'));
      return;
    }
    const created = reply[0] === 'ok';
    sendTracing.end(candidate.span, created ? 'accepted' : 'duplicate');
    const message = created ? candidate.message : (JSON.parse(reply[1]) as Message);
    this.settings.metrics.messageAckSeconds.observe((performance.now() - send.receivedAt) / 1000);
    send.resolve({ message, created });
  }
}

/** An event's own fields, placed before `seq` in its JSON (the accept script writes `seq` last). */
function timelineFields(event: TimelineChange): Pick<Message, 'kind' | 'targetId' | 'emoji'> {
  return event.emoji === undefined ? { kind: event.kind, targetId: event.targetId } : { kind: event.kind, targetId: event.targetId, emoji: event.emoji };
}

/** A reply's parent and quote, a message's mentions: placed before `seq` like the event fields. */
function replyFields(send: SendRequest): Pick<Message, 'replyTo' | 'replyQuote' | 'mentions'> {
  const fields: Pick<Message, 'replyTo' | 'replyQuote' | 'mentions'> = {};
  if (send.replyTo !== undefined && send.replyQuote !== undefined) {
    fields.replyTo = send.replyTo;
    fields.replyQuote = send.replyQuote;
  }
  if (send.mentions !== undefined && send.mentions.length > 0) fields.mentions = send.mentions;
  return fields;
}
