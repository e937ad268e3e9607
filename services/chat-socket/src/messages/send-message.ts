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
import { defineAcceptCommand, idempotencyKey, queueAccept, sendRateKey, type AcceptReply } from './accept-script.js';
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
 * batch one membership query, one pipeline of accept scripts (rate limit + idempotency +
 * recent window), ONE persistence job; only then are senders acknowledged and messages
 * broadcast.
 */
export class SendMessageService {
  private readonly batcher: MicroBatcher<PendingSend>;

  constructor(private readonly settings: SendMessageSettings) {
    defineAcceptCommand(settings.redis);
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
      this.batcher.add({ ...request, receivedAt: performance.now(), trace: sendTracing.capture(), resolve, reject });
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

    let replies: Array<AcceptReply | Error>;
    try {
      replies = await this.accept(candidates);
    } catch (error) {
      this.settings.logger.warn({ err: error }, 'accept scripts failed');
      for (const candidate of candidates) {
        sendTracing.end(candidate.span, 'unavailable', error);
        candidate.send.reject(new UnavailableError());
      }
      return;
    }

    const accepted = candidates.filter((_candidate, index) => isOk(replies[index]));
    if (accepted.length > 0 && !(await this.enqueue(accepted))) {
      for (const candidate of accepted) {
        sendTracing.end(candidate.span, 'unavailable', new UnavailableError('the persistence job could not be enqueued'));
        candidate.send.reject(new UnavailableError('Cannot accept messages right now, try again'));
      }
      for (const [index, candidate] of candidates.entries()) if (!isOk(replies[index])) this.settle(candidate, replies[index]!);
      return;
    }

    candidates.forEach((candidate, index) => this.settle(candidate, replies[index]!));
    if (accepted.length > 0) {
      this.settings.metrics.messagesAccepted.inc(accepted.length);
      // After the acks above have been written: broadcast.
      setImmediate(() => {
        for (const candidate of accepted) this.settings.deliver(candidate.message);
      });
    }
  }

  private async accept(candidates: Candidate[]): Promise<Array<AcceptReply | Error>> {
    const { redis, redisKeyPrefix } = this.settings;
    const pipeline = redis.pipeline();
    const nowMs = Date.now();
    for (const { send, message, json } of candidates) {
      queueAccept(pipeline, {
        bucketKey: sendRateKey(redisKeyPrefix, send.senderId),
        idempotencyKey: idempotencyKey(redisKeyPrefix, send.senderId, send.clientMsgId),
        windowKey: recentWindowKey(redisKeyPrefix, send.roomId),
        nowMs,
        ratePerSecond: this.settings.ratePerSecond,
        burst: this.settings.burst,
        messageJson: json,
        sortableId: sortableId(message.id),
        windowSize: this.settings.windowSize,
        idempotencyTtlSeconds: this.settings.idempotencyTtlSeconds,
        windowTtlSeconds: WINDOW_TTL_SECONDS,
      });
    }
    const results = (await pipeline.exec()) ?? [];
    return candidates.map((_candidate, index) => {
      const [error, reply] = results[index] ?? [new Error('no reply'), undefined];
      return error ?? (reply as AcceptReply);
    });
  }

  /** One job for the batch; on failure the batch's idempotency keys and window entries are withdrawn. */
  private async enqueue(accepted: Candidate[]): Promise<boolean> {
    const acceptedAt: Record<string, number> = {};
    for (const { message } of accepted) acceptedAt[message.id] = Date.parse(message.createdAt);
    try {
      await this.settings.queue.enqueueBatch(
        accepted.map((candidate) => candidate.message),
        acceptedAt,
        {
          batch: sendTracing.carrier(),
          messages: Object.fromEntries(
            accepted.flatMap(({ message, span }) => {
              const carrier = sendTracing.carrier(span);
              return carrier ? [[message.id, carrier]] : [];
            }),
          ),
        },
      );
    } catch (error) {
      this.settings.logger.error({ err: error }, 'cannot enqueue accepted messages; withdrawing them');
      const { redis, redisKeyPrefix } = this.settings;
      const pipeline = redis.pipeline();
      for (const { send, message, json } of accepted) {
        pipeline.del(idempotencyKey(redisKeyPrefix, send.senderId, send.clientMsgId));
        pipeline.zrem(recentWindowKey(redisKeyPrefix, send.roomId), windowMember(message, json));
      }
      await pipeline.exec().catch(() => undefined);
      return false;
    }
    if (this.settings.waitReplicas > 0) {
      const replicas = await this.settings.redis.wait(this.settings.waitReplicas, this.settings.waitTimeoutMs).catch(() => 0);
      if (replicas < this.settings.waitReplicas) {
        this.settings.logger.warn({ replicas, wanted: this.settings.waitReplicas }, 'accepted batch not yet on enough replicas');
      }
    }
    return true;
  }

  private settle(candidate: Candidate, reply: AcceptReply | Error): void {
    const { send } = candidate;
    if (reply instanceof Error) {
      sendTracing.end(candidate.span, 'unavailable', reply);
      send.reject(new UnavailableError());
      return;
    }
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

function isOk(reply: AcceptReply | Error | undefined): boolean {
  return Array.isArray(reply) && reply[0] === 'ok';
}
