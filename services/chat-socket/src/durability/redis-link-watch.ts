import type { Logger } from '@parley/logger';
import { primaryOfKey, type Redis } from '@parley/redis';

export interface RedisLinkWatchSettings {
  /** The connection acknowledgements depend on (the accept scripts run on it). */
  redis: Redis;
  /**
   * A key the accept scripts write. On a Redis Cluster a bare PING goes to any node, which may
   * answer while the primary holding the install's slot is cut off: the probe goes to that
   * primary instead (every key of the install shares its slot, docs/decisions/0035-redis-cluster.md).
   */
  probeKey: string;
  /** Time between two probes while the link answers. */
  intervalMs: number;
  /** A PING not answered within this is a failed probe (a silent partition answers nothing). */
  timeoutMs: number;
  /** How long the link must be down before `onLongPartition` (0: never). */
  shedAfterMs: number;
  logger: Logger;
  /** Called once per partition, when it has lasted `shedAfterMs`. */
  onLongPartition(downMs: number): void;
}

export interface RedisLinkWatch {
  /** Whether the last probe failed. */
  down(): boolean;
  /** Whether the current partition lasted long enough to move the sockets away. */
  longPartition(): boolean;
  stop(): void;
}

/**
 * Watches whether this pod can reach Redis, by PING with a timeout, one probe at a time. A cut
 * link shows in the connection's state at once, but a silent one (packets dropped, no reset)
 * leaves the connection "ready" with nothing coming back: only a timed-out probe notices it. Sends
 * are refused either way (commands fail or time out, see REDIS_COMMAND_TIMEOUT_MS); this decides
 * when the sockets should rather go to a pod that can acknowledge
 * (docs/decisions/0031-redis-partition-behaviour.md).
 */
export function watchRedisLink(settings: RedisLinkWatchSettings): RedisLinkWatch {
  const { redis, logger } = settings;
  let downSince: number | undefined;
  let shed = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const probe = async (): Promise<boolean> => {
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        primaryOfKey(redis, settings.probeKey).then((primary) => primary.ping()),
        new Promise((_, reject) => {
          timeout = setTimeout(() => reject(new Error('PING timed out')), settings.timeoutMs);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timeout);
    }
  };

  const tick = async () => {
    const answered = await probe();
    if (stopped) return;
    const now = Date.now();
    if (answered) {
      if (downSince !== undefined) {
        const downMs = now - downSince;
        logger.warn({ downMs, shed }, 'Redis answers again: acknowledging messages again');
        downSince = undefined;
        shed = false;
      }
    } else {
      if (downSince === undefined) {
        // The probe that failed began up to a timeout ago.
        downSince = now - settings.timeoutMs;
        logger.warn('Redis does not answer: messages are refused until it does');
      }
      const downMs = now - downSince;
      if (!shed && settings.shedAfterMs > 0 && downMs >= settings.shedAfterMs) {
        shed = true;
        logger.warn({ downMs }, 'Redis partition outlasted REDIS_PARTITION_SHED_AFTER_MS: telling this pod’s sockets to reconnect elsewhere');
        settings.onLongPartition(downMs);
      }
    }
    // While down, probe at once again: the timeout already spaced the probes.
    timer = setTimeout(() => void tick(), answered || redis.status !== 'ready' ? settings.intervalMs : 0);
    timer.unref();
  };
  timer = setTimeout(() => void tick(), settings.intervalMs);
  timer.unref();

  return {
    down: () => downSince !== undefined,
    longPartition: () => shed,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
