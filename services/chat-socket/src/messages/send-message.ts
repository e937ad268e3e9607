import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { Message } from '@parley/contracts';
import { ForbiddenError, RateLimitedError, UnavailableError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import type { Context, Span } from '@parley/tracing';
import { decodeSnowflake, sortableId, type SnowflakeGenerator } from '../ids/snowflake.js';
import type { ChatMetrics } from '../observability/chat-metrics.js';
import type { DirectRoomBlocks } from '../rooms/direct-room-blocks.js';
import type { RoomRepository } from '../rooms/room-repository.js';
import { acceptBatch, acceptedSetKey, idempotencyKey, sendRateKey, withdrawBatch, type AcceptReply } from './accept-script.js';
import type { MessageQueue } from './message-queue.js';
import { MicroBatcher } from './micro-batcher.js';
import { recentWindowKey, windowMember } from './recent-window.js';
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
}

export interface SendResult {
  message: Message;
  /** False when this was a retry of an already accepted message (nothing was delivered again). */
  created: boolean;
}

export interface SendMessageSettings {
  /** Dedicated connection: accept scripts, the queue's job and WAIT share it. */
  redis: Redis;
  redisKeyPrefix: string;
  rooms: RoomRepository;
  /** Blocks between the two users of a direct room stop their messages. */
  directBlocks: Pick<DirectRoomBlocks, 'blockedRooms'>;
  queue: MessageQueue;
  ids: SnowflakeGenerator;
  metrics: ChatMetrics;
  logger: Logger;
  ratePerSecond: number;
  burst: number;
  batchMaxWaitMs: number;
  batchMaxSize: number;
  idempotencyTtlSeconds: number;
  windowSize: number;
  waitReplicas: number;
  waitTimeoutMs: number;
  /** Broadcasts an accepted message (after its sender's ack). */
  deliver(message: Message): void;
}

interface PendingSend extends SendRequest {
  receivedAt: number;
  /** The context the send was made in (its socket event or HTTP request span). */
  trace: Context;
  resolve(result: SendResult): void;
  reject(error: unknown): void;
}

interface Candidate {
  send: PendingSend;
  message: Message;
  json: string;
  /** The message's `messages enqueue` span (ended by settle or by a failed enqueue). */
  span: Span;
}

/** The window outlives the idempotency keys so retried history reads stay consistent. */
const WINDOW_TTL_SECONDS = 7 * 24 * 3_600;

/**
 * The one send path of the socket event and the REST endpoint. Sends are micro-batched: per
 * batch (membership comes from the socket's channels or one query) one round trip to Redis
 * carries the accept scripts (rate limit + idempotency + recent window + accepted set) and
 * ONE persistence job; only then are senders acknowledged and messages broadcast.
 */
export class SendMessageService {
  private readonly batcher: MicroBatcher<PendingSend>;

  constructor(private readonly settings: SendMessageSettings) {
    this.batcher = new MicroBatcher({
      maxWaitMs: settings.batchMaxWaitMs,
      maxSize: settings.batchMaxSize,
      process: (batch) =>
        sendTracing.inBatchSpan(
          batch.map((send) => send.trace),
          () => this.processBatch(batch),
        ).catch((error: unknown) => {
          // Settled sends ignore this; the others must not hang.
          settings.logger.error({ err: error }, 'send batch failed');
          for (const send of batch) send.reject(new UnavailableError());
        }),
    });
  }

  send(request: SendRequest): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      // Field by field rather than a spread of the request: every message passes here.
      this.batcher.add({
        senderId: request.senderId,
        roomId: request.roomId,
        clientMsgId: request.clientMsgId,
        body: request.body,
        memberVerified: request.memberVerified,
        receivedAt: performance.now(),
        trace: sendTracing.capture(),
        resolve,
        reject,
      });
    });
  }

  /** Accepts everything collected so far (graceful shutdown). */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  private async processBatch(batch: PendingSend[]): Promise<void> {
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
      const message: Message = {
        id,
        roomId: send.roomId,
        senderId: send.senderId,
        clientMsgId: send.clientMsgId,
        body: send.body,
        createdAt: new Date(decodeSnowflake(id).timestampMs).toISOString(),
      };
      candidates.push({ send, message, json: JSON.stringify(message), span: sendTracing.startEnqueue(send.trace, message, batchSize) });
    }
    if (candidates.length === 0) return;

    // One round trip: the accept scripts and the batch's job go out back to back on one
    // connection, so Redis runs the scripts first. The job carries every candidate; the worker
    // stores only the ids the scripts put in the batch's accepted set.
    const acceptedKey = acceptedSetKey(this.settings.redisKeyPrefix, candidates[0]!.message.id);
    const [accepting, enqueued] = await Promise.all([
      this.accept(candidates, acceptedKey).then(
        (replies) => ({ replies }),
        (error: unknown) => ({ error }),
      ),
      this.enqueue(candidates, acceptedKey),
    ]);
    if (!enqueued) {
      // Without its job nothing of the batch may stay accepted (a retry would be acked as a
      // duplicate of a message that is never stored).
      await this.withdraw(candidates, acceptedKey);
      for (const [index, candidate] of candidates.entries()) {
        const reply = 'replies' in accepting ? accepting.replies[index] : undefined;
        if (reply && !isOk(reply)) {
          this.settle(candidate, reply);
        } else {
          sendTracing.end(candidate.span, 'unavailable', new UnavailableError('the persistence job could not be enqueued'));
          candidate.send.reject(new UnavailableError('Cannot accept messages right now, try again'));
        }
      }
      return;
    }
    if ('error' in accepting) {
      // The job is stored and the accepted set says what of it the script took before failing.
      this.settings.logger.warn({ err: accepting.error }, 'accept script failed');
      for (const candidate of candidates) {
        sendTracing.end(candidate.span, 'unavailable', accepting.error);
        candidate.send.reject(new UnavailableError());
      }
      return;
    }
    const { replies } = accepting;
    const accepted = candidates.filter((_candidate, index) => isOk(replies[index]));
    await this.waitForReplicas();

    candidates.forEach((candidate, index) => this.settle(candidate, replies[index]!));
    if (accepted.length > 0) {
      this.settings.metrics.messagesAccepted.inc(accepted.length);
      // After the acks above have been written: broadcast.
      setImmediate(() => {
        for (const candidate of accepted) this.settings.deliver(candidate.message);
      });
    }
  }

  /** Sent before it returns (see acceptBatch): the job issued after it runs after it in Redis. */
  private accept(candidates: Candidate[], acceptedKey: string): Promise<AcceptReply[]> {
    const { redisKeyPrefix } = this.settings;
    return acceptBatch(
      this.settings.redis,
      {
        acceptedKey,
        nowMs: Date.now(),
        ratePerSecond: this.settings.ratePerSecond,
        burst: this.settings.burst,
        windowSize: this.settings.windowSize,
        idempotencyTtlSeconds: this.settings.idempotencyTtlSeconds,
        windowTtlSeconds: WINDOW_TTL_SECONDS,
      },
      candidates.map(({ send, message, json }) => ({
        bucketKey: sendRateKey(redisKeyPrefix, send.senderId),
        idempotencyKey: idempotencyKey(redisKeyPrefix, send.senderId, send.clientMsgId),
        windowKey: recentWindowKey(redisKeyPrefix, send.roomId),
        messageJson: json,
        sortableId: sortableId(message.id),
        messageId: message.id,
      })),
    );
  }

  /** One job for the whole batch, naming its accepted set; false when it could not be stored. */
  private async enqueue(candidates: Candidate[], acceptedKey: string): Promise<boolean> {
    // Keyed by ids no other object shares: a plain object would get a new hidden class (old
    // generation, freed only by a major GC) per key; a prototype-less one is a dictionary.
    const acceptedAt = Object.create(null) as Record<string, number>;
    for (const { message } of candidates) acceptedAt[message.id] = Date.parse(message.createdAt);
    try {
      await this.settings.queue.enqueueBatch(
        candidates.map((candidate) => candidate.message),
        acceptedAt,
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
      return true;
    } catch (error) {
      this.settings.logger.error({ err: error }, 'cannot enqueue accepted messages; withdrawing them');
      return false;
    }
  }

  /** Takes back what the accept script recorded for the batch (its job was not stored). */
  private async withdraw(candidates: Candidate[], acceptedKey: string): Promise<void> {
    const { redis, redisKeyPrefix } = this.settings;
    await withdrawBatch(
      redis,
      acceptedKey,
      candidates.map(({ send, message, json }) => ({
        idempotencyKey: idempotencyKey(redisKeyPrefix, send.senderId, send.clientMsgId),
        windowKey: recentWindowKey(redisKeyPrefix, send.roomId),
        messageJson: json,
        windowMember: windowMember(message, json),
      })),
    ).catch((error: unknown) => this.settings.logger.error({ err: error }, 'cannot withdraw the accepted messages of a batch whose job was not stored'));
  }

  private async waitForReplicas(): Promise<void> {
    if (this.settings.waitReplicas <= 0) return;
    const replicas = await this.settings.redis.wait(this.settings.waitReplicas, this.settings.waitTimeoutMs).catch(() => 0);
    if (replicas < this.settings.waitReplicas) {
      this.settings.logger.warn({ replicas, wanted: this.settings.waitReplicas }, 'accepted batch not yet on enough replicas');
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

function isOk(reply: AcceptReply | undefined): boolean {
  return Array.isArray(reply) && reply[0] === 'ok';
}
