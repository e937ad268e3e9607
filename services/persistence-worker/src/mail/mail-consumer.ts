import type { Worker } from 'bullmq';
import type { MailJob } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { mailboxDirOf, mailTransportFor, startMailWorker } from '@parley/mail';
import type { Redis } from '@parley/redis';
import type { PersistenceWorkerConfig } from '../config.js';

/**
 * The `mail` queue worker of @parley/mail (verification and reset codes): SMTP when SMTP_URL is
 * set, otherwise JSON files in the file mailbox. Returns undefined when MAIL_WORKER_ENABLED is off.
 */
export function startMailConsumer(
  config: Pick<PersistenceWorkerConfig, 'MAIL_WORKER_ENABLED' | 'SMTP_URL' | 'MAIL_FROM' | 'MAILBOX_DIR' | 'DATA_DIR' | 'REDIS_KEY_PREFIX'>,
  connection: Redis,
  logger: Logger,
): Worker<MailJob> | undefined {
  if (!config.MAIL_WORKER_ENABLED) return undefined;
  logger.info({ transport: config.SMTP_URL ? 'smtp' : 'file', mailbox: config.SMTP_URL ? undefined : mailboxDirOf(config) }, 'mail worker enabled');
  return startMailWorker({ connection, redisKeyPrefix: config.REDIS_KEY_PREFIX, transport: mailTransportFor(config), from: config.MAIL_FROM, logger });
}
