import { mailJobSchema } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import type { MailTransport } from './mail-transport.js';

export interface MailDeliverySettings {
  transport: MailTransport;
  from: string;
  logger: Logger;
}

/**
 * Sends one queued mail (the `mail` queue's job data, validated here: a job may come from an
 * older producer). A failure throws, so the queue retries it with the `mail` policy.
 */
export function createMailDelivery(settings: MailDeliverySettings): (data: unknown, jobId?: string) => Promise<void> {
  return async (data, jobId) => {
    const mail = mailJobSchema.parse(data);
    await settings.transport.send(settings.from, mail);
    settings.logger.info({ jobId, kind: mail.kind }, 'mail sent');
  };
}
