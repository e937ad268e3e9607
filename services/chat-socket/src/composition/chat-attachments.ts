import type { ResourceStack } from '@parley/lifecycle';
import type { Logger } from '@parley/logger';
import type { ServiceMetrics } from '@parley/metrics';
import { createQueueMetrics } from '@parley/queues';
import { closeRedis, createRedis } from '@parley/redis';
import { createAttachmentCleanupQueue, startAttachmentCleanupWorker } from '../attachments/attachment-cleanup-queue.js';
import { createAttachmentMetrics } from '../attachments/attachment-metrics.js';
import { AttachmentRepository } from '../attachments/attachment-repository.js';
import { AttachmentService } from '../attachments/attachment-service.js';
import { createAttachmentStore } from '../attachments/create-attachment-store.js';
import { DownloadSigner } from '../attachments/signed-urls.js';
import type { ChatSocketConfig } from '../config.js';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { ChatStores } from './chat-stores.js';

export interface ChatAttachments {
  service: AttachmentService;
  /** A crash, as tests need one: the cleanup worker stopped without waiting for its jobs. */
  abort(): Promise<void>;
}

export interface ChatAttachmentsDeps {
  config: ChatSocketConfig;
  logger: Logger;
  stores: ChatStores;
  rooms: RoomRepository;
  serviceMetrics: ServiceMetrics;
  resources: ResourceStack;
}

/**
 * Attachments (docs/decisions/0036-attachments.md): the store ATTACHMENT_STORAGE names, the
 * `attachments` cleanup queue, and its consumer, which runs in this process since it holds the
 * store's settings.
 */
export function wireAttachments(deps: ChatAttachmentsDeps): ChatAttachments {
  const { config, logger, resources } = deps;
  const prefix = config.REDIS_KEY_PREFIX;
  const store = createAttachmentStore(config);
  resources.add('attachment-store', () => store.close?.());
  const cleanup = createAttachmentCleanupQueue({
    connection: deps.stores.redis,
    redisKeyPrefix: prefix,
    unsentTtlMs: config.ATTACHMENT_UNSENT_TTL_SECONDS * 1_000,
    deleteGraceMs: config.ATTACHMENT_DELETE_GRACE_SECONDS * 1_000,
    logger,
  });
  resources.add('attachment-queue', () => cleanup.close());
  const service = new AttachmentService({
    repository: new AttachmentRepository(deps.stores.dataSource),
    store,
    rooms: deps.rooms,
    signer: new DownloadSigner(config.ATTACHMENT_URL_SECRET),
    cleanup,
    urlTtlSeconds: config.ATTACHMENT_URL_TTL_SECONDS,
    logger,
    metrics: createAttachmentMetrics(deps.serviceMetrics.registry),
  });
  if (!config.ATTACHMENT_URL_SECRET) logger.warn('ATTACHMENT_URL_SECRET is not set: download links work only on the pod that signed them');
  // Blocking reads: a connection of its own, without a retry limit (BullMQ requires it).
  const workerRedis = createRedis({ url: config.REDIS_URL, name: 'chat-socket-attachments', logger, maxRetriesPerRequest: null });
  resources.add('attachment-worker-redis', () => closeRedis(workerRedis));
  // The backlog metrics already sample every queue's job counts on this registry.
  const metrics = createQueueMetrics(deps.serviceMetrics.registry, { jobCounts: false });
  const worker = startAttachmentCleanupWorker({ connection: workerRedis, redisKeyPrefix: prefix, purger: service, logger, metrics });
  resources.add('attachment-worker', () => worker.close());
  return {
    service,
    async abort() {
      await worker.close(true).catch(() => undefined);
      await cleanup.close().catch(() => undefined);
      store.close?.();
      workerRedis.disconnect();
    },
  };
}
