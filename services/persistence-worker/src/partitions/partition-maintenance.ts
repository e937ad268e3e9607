import { dropExpiredMessagePartitions, ensureMessagePartitions } from '@parley/chat-store';
import type { DatabaseConnection } from '@parley/db';
import type { Logger } from '@parley/logger';
import type { JobMetrics } from '../queues/job-metrics.js';

export interface PartitionMaintenanceSettings {
  database: DatabaseConnection;
  logger: Logger;
  /** Whole weekly partitions older than this are dropped; 0 keeps every message. */
  retentionDays: number;
  intervalMs: number;
  /** Counts the partitions created (trigger `maintenance`; the message path counts `insert`). */
  metrics?: Pick<JobMetrics, 'messagePartitionsCreated'>;
}

export interface PartitionMaintenance {
  /** One pass: partitions ahead created, expired ones dropped (what the timer runs). */
  runOnce(): Promise<{ created: string[]; dropped: string[] }>;
  stop(): Promise<void>;
}

/**
 * Keeps `chat.messages` partitioned ahead of time and within its retention
 * (docs/decisions/0039-partitioned-messages.md): at start and then every `intervalMs`. Every
 * worker runs it; each pass is idempotent and the partition functions serialize on an advisory
 * lock, so replicas running it together do the work once. A failed pass (PostgreSQL away) is
 * logged and the next one tries again; partitions are made four weeks ahead, so many may fail
 * before inserts have no partition (and then the message path creates the partition it needs).
 */
export function startPartitionMaintenance(settings: PartitionMaintenanceSettings): PartitionMaintenance {
  const { database, logger } = settings;
  let running: Promise<unknown> = Promise.resolve();
  const runOnce = async () => {
    const dataSource = await database.ready();
    const created = await ensureMessagePartitions(dataSource);
    if (created.length > 0) settings.metrics?.messagePartitionsCreated.inc({ trigger: 'maintenance' }, created.length);
    const dropped = settings.retentionDays > 0 ? await dropExpiredMessagePartitions(dataSource, { retentionDays: settings.retentionDays }) : [];
    if (created.length > 0 || dropped.length > 0) logger.info({ created, dropped }, 'message partitions maintained');
    return { created, dropped };
  };
  const pass = () => {
    running = running.then(runOnce).catch((error: unknown) => logger.warn({ err: error }, 'message partition maintenance failed; retrying next interval'));
  };
  pass();
  const timer = setInterval(pass, settings.intervalMs);
  timer.unref();
  return {
    runOnce: () => {
      const result = running.then(runOnce);
      running = result.catch(() => undefined);
      return result;
    },
    async stop() {
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}
