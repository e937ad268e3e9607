import type { Logger } from '@parley/logger';
import type { ChatMembershipsClient } from './chat-memberships-client.js';
import {
  CHAT_MEMBERSHIPS_DELETE,
  PROFILE_DELETE,
  PROFILE_EMAIL,
  PROFILE_PROVISION,
  type AccountDeletedPayload,
  type ProfileEmailPayload,
  type ProfileProvisionPayload,
} from './outbox-message.entity.js';
import type { OutboxMessage, OutboxRepository } from './outbox-repository.js';
import type { ProfileProvisioningClient } from './profile-provisioning-client.js';

export interface OutboxRelaySettings {
  repository: OutboxRepository;
  /** Absent when USER_SERVICE_URL is unset: messages stay pending. */
  provisioning: ProfileProvisioningClient | undefined;
  /** Absent when CHAT_SERVICE_URL is unset: membership removals stay pending. */
  chat?: ChatMembershipsClient | undefined;
  intervalMs: number;
  logger: Logger;
  batchSize?: number;
}

export interface OutboxRelay {
  /** Delivers one message right after its transaction committed; on failure it stays for the relay. */
  deliverNow(id: string): Promise<boolean>;
  /** One pass over due messages; returns how many were delivered. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

const MAX_BACKOFF_SECONDS = 600;

/** Seconds until the next try after `attempts` failures: 1, 2, 4, … capped at 10 minutes. */
export function outboxBackoffSeconds(attempts: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.max(0, attempts - 1));
}

/** Delivers outbox messages until each one has gone through, with backoff per message. */
export function createOutboxRelay(settings: OutboxRelaySettings): OutboxRelay {
  const { repository, provisioning, chat, logger } = settings;
  // One handler per kind; a kind whose target is not configured stays pending (and is retried).
  const handlers: Record<string, ((payload: unknown) => Promise<void>) | undefined> = {
    [PROFILE_PROVISION]: provisioning && ((payload) => provisioning.provision(payload as ProfileProvisionPayload)),
    [PROFILE_EMAIL]: provisioning && ((payload) => provisioning.setEmailState(payload as ProfileEmailPayload)),
    [PROFILE_DELETE]: provisioning && ((payload) => provisioning.deleteProfile((payload as AccountDeletedPayload).userId)),
    [CHAT_MEMBERSHIPS_DELETE]: chat && ((payload) => chat.removeMemberships((payload as AccountDeletedPayload).userId)),
  };
  const batchSize = settings.batchSize ?? 20;
  let warnedUnconfigured = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> | undefined;
  let stopped = true;

  const deliver = async (message: OutboxMessage): Promise<boolean> => {
    try {
      const handler = handlers[message.kind];
      if (!handler) throw new Error(`no handler for ${message.kind}`);
      await handler(message.payload);
      await repository.markDelivered(message.id);
      return true;
    } catch (error) {
      const attempts = message.attempts + 1;
      const retryIn = outboxBackoffSeconds(attempts);
      logger.warn(
        { outboxId: message.id, kind: message.kind, attempts, retryInSeconds: retryIn, err: error },
        'outbox delivery failed; will retry',
      );
      await repository.markFailed(message.id, retryIn, error instanceof Error ? error.message : String(error));
      return false;
    }
  };

  const configured = (): boolean => {
    if (provisioning) return true;
    if (!warnedUnconfigured) {
      warnedUnconfigured = true;
      logger.warn('USER_SERVICE_URL is not set: profile provisioning messages stay pending in the outbox');
    }
    return false;
  };

  const runOnce = async (): Promise<number> => {
    if (!configured()) return 0;
    let delivered = 0;
    for (;;) {
      const batch = await repository.claim({ limit: batchSize });
      for (const message of batch) if (await deliver(message)) delivered += 1;
      if (batch.length < batchSize || stopped) return delivered;
    }
  };

  const tick = async () => {
    try {
      current = runOnce();
      await current;
    } catch (error) {
      logger.warn({ err: error }, 'outbox relay pass failed');
    } finally {
      current = undefined;
      if (!stopped) timer = setTimeout(() => void tick(), settings.intervalMs);
    }
  };

  return {
    async deliverNow(id) {
      if (!configured()) return false;
      try {
        const [message] = await repository.claim({ id, limit: 1 });
        return message ? await deliver(message) : false;
      } catch (error) {
        logger.warn({ outboxId: id, err: error }, 'immediate outbox delivery failed; the relay will retry');
        return false;
      }
    },
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(() => void tick(), settings.intervalMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current?.catch(() => undefined);
    },
  };
}
