import type { Worker } from 'bullmq';
import type { MailJob } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { createMailDelivery, mailboxDirOf, mailTransportFor } from '@parley/mail';
import { startConsumer, type QueueMetrics } from '@parley/queues';
import type { Redis } from '@parley/redis';
import type { PersistenceWorkerConfig } from '../config.js';

/**
 * The `mail` queue's consumer (verification and reset codes, delivered by @parley/mail): SMTP when SMTP_URL is
 * set, otherwise JSON files in the file mailbox. Returns undefined when MAIL_WORKER_ENABLED is off.
 */
export function startMailConsumer(
  config: Pick<PersistenceWorkerConfig, 'MAIL_WORKER_ENABLED' | 'SMTP_URL' | 'MAIL_FROM' | 'MAILBOX_DIR' | 'DATA_DIR' | 'REDIS_KEY_PREFIX'>,
  connection: Redis,
  logger: Logger,
  metrics: QueueMetrics,
): Worker<MailJob> | undefined {
  if (!config.MAIL_WORKER_ENABLED) return undefined;
  logger.info({ transport: config.SMTP_URL ? 'smtp' : 'file', mailbox: config.SMTP_URL ? undefined : mailboxDirOf(config) }, 'mail worker enabled');
  const deliver = createMailDelivery({ transport: mailTransportFor(config), from: config.MAIL_FROM, logger });
  return startConsumer('mail', (job) => deliver(job.data, job.id), { connection, installPrefix: config.REDIS_KEY_PREFIX, logger, metrics, concurrency: 4 });
}
