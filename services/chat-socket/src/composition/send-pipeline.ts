import type { ResourceStack } from '@parley/lifecycle';
import type { Logger } from '@parley/logger';
import { redisReady, type Redis } from '@parley/redis';
import { unpersistedBatchesKey } from '@parley/keyspace';
import type { AttachmentService } from '../attachments/attachment-service.js';
import type { ChatSocketConfig } from '../config.js';
import { MessageDurability } from '../durability/message-durability.js';
import { SnowflakeGenerator } from '../ids/snowflake.js';
import { leaseWorkerId, type WorkerIdLease } from '../ids/worker-id-lease.js';
import { createMessageQueue, type MessageQueue } from '../messages/message-queue.js';
import type { RecentWindow } from '../recent-window/recent-window.js';
import { seedRoomSequences } from '../messages/room-sequence-counter.js';
import { claimMessageKeyLayout } from '../messages/message-key-layout-guard.js';
import { SenderRateGate } from '../messages/sender-rate-gate.js';
import { messageKeysOf } from './message-keys.js';
import { SendMessageService } from '../messages/send-message.js';
import { roomChannel } from '../realtime/channels.js';
import { DirectRoomBlocks } from '../rooms/direct-room-blocks.js';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { UserServiceClient } from '../user-service/user-service-client.js';
import type { BackgroundLoops } from './background-loops.js';
import type { Realtime } from './chat-realtime.js';
import type { ChatStores } from './chat-stores.js';

export interface SendPipeline {
  lease: WorkerIdLease;
  queue: MessageQueue;
  durability: MessageDurability;
  directBlocks: DirectRoomBlocks;
  send: SendMessageService;
}

export interface SendPipelineDeps {
  config: ChatSocketConfig;
  logger: Logger;
  stores: ChatStores;
  realtime: Realtime;
  rooms: RoomRepository;
  window: RecentWindow;
  users: UserServiceClient;
  /** Claims the files a send names; deletions of messages schedule the deletion of theirs. */
  attachments: AttachmentService;
  resources: ResourceStack;
  background: BackgroundLoops;
}

/** Resolves once Redis answers; says so in the log when that takes more than a moment. */
async function untilRedisReady(redis: Redis, logger: Logger): Promise<void> {
  const ready = redisReady(redis);
  let timer: NodeJS.Timeout | undefined;
  const quick = await Promise.race([ready.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 1_000)))]);
  clearTimeout(timer);
  if (quick) return;
  logger.warn('waiting for Redis to lease a snowflake worker id; not ready until then');
  await ready;
}

/**
 * The send path: snowflake ids from a leased worker id, the persistence queue, the durability
 * check, and the batching send service that delivers accepted messages to their room.
 */
export async function wireSendPipeline(deps: SendPipelineDeps): Promise<SendPipeline> {
  const { config, logger, rooms, window, attachments } = deps;
  const { redis, sendRedis, dataSource } = deps.stores;
  const { io, metrics } = deps.realtime;
  const prefix = config.REDIS_KEY_PREFIX;
  const ids = new SnowflakeGenerator({ workerId: 0 });
  // Ids need a leased worker id, so the build waits for Redis rather than failing: the process
  // is alive and not ready meanwhile (docs/decisions: run-service-and-resource-stack).
  await untilRedisReady(redis, logger);
  const lease = await leaseWorkerId({ redis, redisKeyPrefix: prefix, logger, onChange: (workerId) => ids.setWorkerId(workerId) });
  deps.resources.add('worker-id-lease', () => lease.release());
  ids.setWorkerId(lease.workerId);

  const messageKeys = messageKeysOf(config);
  // Before anything is accepted: a pod of another key layout must not number rooms' messages.
  await claimMessageKeyLayout(redis, prefix, messageKeys);
  const queue = createMessageQueue(sendRedis, prefix, logger, config.MESSAGE_QUEUE_SHARDS, config.MESSAGE_SHARD_KEYS);
  deps.resources.add('message-queue', () => queue.close());
  // Redis answered above; a pod whose queues are not recorded would not be drained after a reshard.
  await queue.register();
  const durability = new MessageDurability({
    redis: sendRedis,
    mode: config.MESSAGE_DURABILITY,
    waitReplicas: config.REDIS_WAIT_REPLICAS,
    waitTimeoutMs: config.REDIS_WAIT_TIMEOUT_MS,
    acceptSlotKey: unpersistedBatchesKey(prefix),
    logger,
    metrics: () => metrics,
  });
  await durability.start();
  deps.background.add(() => durability.stop());
  const directBlocks = new DirectRoomBlocks({ rooms, users: deps.users, logger });
  const send = new SendMessageService({
    redis: sendRedis,
    messageKeys,
    rooms,
    directBlocks,
    queue,
    ids,
    metrics,
    logger,
    ratePerSecond: config.SEND_RATE_PER_SECOND,
    burst: config.SEND_BURST,
    // With a slot per shard, one bucket per sender for the whole install (decision 0043).
    ...(messageKeys.keys === 'shard' && messageKeys.shards > 1
      ? { senderRateGate: new SenderRateGate({ redis: sendRedis, installPrefix: prefix, ratePerSecond: config.SEND_RATE_PER_SECOND, burst: config.SEND_BURST }) }
      : {}),
    batchMaxWaitMs: config.SEND_BATCH_MAX_WAIT_MS,
    batchMaxSize: config.SEND_BATCH_MAX_SIZE,
    mergeMaxMessages: config.SEND_MERGE_MAX_MESSAGES,
    idempotencyTtlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    windowSize: config.RECENT_WINDOW_SIZE,
    durability,
    seedSequences: (roomIds) => seedRoomSequences(sendRedis, messageKeys, dataSource, window, roomIds),
    attachments,
    deliver: (message) => {
      // A deleted message's files go after the grace period (on the pod that accepted the deletion).
      if (message.kind === 'delete' && message.targetId) {
        attachments.messageDeleted(message.targetId).catch((error: unknown) => logger.warn({ err: error, messageId: message.targetId }, 'cannot schedule the deletion of attachments'));
      }
      // Timeline events (edits, deletions, reactions) have an event of their own: clients that
      // predate them would show them as messages.
      if (message.kind !== undefined && message.kind !== 'message') io.to(roomChannel(message.roomId)).emit('message:changed', message);
      else io.to(roomChannel(message.roomId)).emit('message:new', message);
    },
  });
  return { lease, queue, durability, directBlocks, send };
}
