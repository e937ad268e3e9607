import type { ResourceStack } from '@parley/lifecycle';
import type { Logger } from '@parley/logger';
import { createMailQueue, mailTransportFor, startMailWorker, type MailQueue } from '@parley/mail';
import { closeRedis, createRedis } from '@parley/redis';
import type { AuthConfig } from '../config.js';

/**
 * The mail queue on its own connection; with MAIL_WORKER_ENABLED, the worker that sends (its
 * blocking reads need another connection).
 */
export function startMail(config: AuthConfig, logger: Logger, resources: ResourceStack): MailQueue {
  const queueRedis = createRedis({ url: config.REDIS_URL, name: 'auth-mail-queue', logger });
  resources.add('mail-queue-redis', () => closeRedis(queueRedis));
  const mail = createMailQueue(queueRedis, config.REDIS_KEY_PREFIX, logger);
  resources.add('mail-queue', () => mail.close());
  if (config.MAIL_WORKER_ENABLED) {
    const workerRedis = createRedis({ url: config.REDIS_URL, name: 'auth-mail-worker', logger, maxRetriesPerRequest: null });
    resources.add('mail-worker-redis', () => closeRedis(workerRedis));
    const worker = startMailWorker({
      connection: workerRedis,
      redisKeyPrefix: config.REDIS_KEY_PREFIX,
      transport: mailTransportFor(config),
      from: config.MAIL_FROM,
      logger,
    });
    resources.add('mail-worker', () => worker.close());
  }
  return mail;
}
