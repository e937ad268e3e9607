import type { ResourceStack } from '@parley/lifecycle';
import type { Logger } from '@parley/logger';
import { createMailDelivery, mailTransportFor } from '@parley/mail';
import type { ServiceMetrics } from '@parley/metrics';
import { createProducer, createQueueMetrics, startConsumer, type Producer } from '@parley/queues';
import { closeRedis, createRedis } from '@parley/redis';
import type { AuthConfig } from '../config.js';

/**
 * The mail queue on its own connection; with MAIL_WORKER_ENABLED, the consumer that sends (its
 * blocking reads need another connection).
 */
export function startMail(config: AuthConfig, logger: Logger, metrics: ServiceMetrics, resources: ResourceStack): Producer<'mail'> {
  const queueRedis = createRedis({ url: config.REDIS_URL, name: 'auth-mail-queue', logger });
  resources.add('mail-queue-redis', () => closeRedis(queueRedis));
  const mail = createProducer('mail', { connection: queueRedis, installPrefix: config.REDIS_KEY_PREFIX, logger });
  resources.add('mail-queue', () => mail.close());
  if (config.MAIL_WORKER_ENABLED) {
    const workerRedis = createRedis({ url: config.REDIS_URL, name: 'auth-mail-worker', logger, maxRetriesPerRequest: null });
    resources.add('mail-worker-redis', () => closeRedis(workerRedis));
    const deliver = createMailDelivery({ transport: mailTransportFor(config), from: config.MAIL_FROM, logger });
    const worker = startConsumer('mail', (job) => deliver(job.data, job.id), {
      connection: workerRedis,
      installPrefix: config.REDIS_KEY_PREFIX,
      logger,
      metrics: createQueueMetrics(metrics.registry),
      concurrency: 4,
    });
    resources.add('mail-worker', () => worker.close());
  }
  return mail;
}
