import { Worker, type ConnectionOptions } from 'bullmq';
import { QUEUE_NAMES, mailJobSchema, type MailJob } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { bullPrefix } from './mail-queue.js';
import type { MailTransport } from './mail-transport.js';

export interface MailWorkerSettings {
  connection: ConnectionOptions;
  redisKeyPrefix: string;
  transport: MailTransport;
  from: string;
  logger: Logger;
  concurrency?: number;
}

/** Consumes the `mail` queue; failures retry with backoff (set on the job) and stay inspectable. */
export function startMailWorker(settings: MailWorkerSettings): Worker<MailJob> {
  const worker = new Worker<MailJob>(
    QUEUE_NAMES.mail,
    async (job) => {
      const mail = mailJobSchema.parse(job.data);
      await settings.transport.send(settings.from, mail);
      settings.logger.info({ jobId: job.id, kind: mail.kind }, 'mail sent');
    },
    { connection: settings.connection, prefix: bullPrefix(settings.redisKeyPrefix), concurrency: settings.concurrency ?? 4 },
  );
  worker.on('failed', (job, error) => {
    settings.logger.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'mail job failed');
  });
  worker.on('error', (error) => settings.logger.warn({ err: error }, 'mail worker error'));
  return worker;
}
