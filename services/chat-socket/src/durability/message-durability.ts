import type { Logger } from '@parley/logger';
import { connectedReplicas, primaryOfKey, readRedisConfig, type Redis } from '@parley/redis';
import type { ChatMetrics } from '../observability/chat-metrics.js';

export type DurabilityMode = 'fsync' | 'replicas' | 'none';

export interface DurabilityStatus {
  mode: DurabilityMode;
  /** The Redis settings are verified to keep the promise; null: not checked yet. */
  guaranteed: boolean | null;
  /** What was found, in words. */
  detail: string;
}

export interface MessageDurabilitySettings {
  /** The connection the accept scripts run on (WAIT covers what was written on it). */
  redis: Redis;
  mode: DurabilityMode;
  waitReplicas: number;
  waitTimeoutMs: number;
  /**
   * A key the accept scripts write: on a Redis Cluster WAIT goes to the primary of its slot, over
   * the connection the scripts ran on. With MESSAGE_SHARD_KEYS=shard each shard's batch names its own.
   */
  acceptSlotKey: string;
  logger: Logger;
  metrics: () => ChatMetrics;
}

/** Settings are checked again this often, besides at start and on every reconnection. */
const RECHECK_INTERVAL_MS = 60_000;

/**
 * What an acknowledgement promises (MESSAGE_DURABILITY; docs/decisions/0003-acknowledgement-durability.md):
 * - `fsync`: the accept script's reply comes after Redis has written the batch to its AOF and
 *   fsynced it, which Redis does before answering a write only with `appendfsync always`. With
 *   `everysec` it answers first and fsyncs within about a second (more when the disk stalls),
 *   so a crash of the host, or of Redis while a write is postponed behind a slow fsync, loses
 *   acknowledged messages; with AOF off a restart loses everything not in a snapshot.
 * - `replicas`: after the script, WAIT for that many replicas; not confirmed in time = not
 *   acknowledged (the sender retries and gets the message once it is confirmed).
 * - `none`: nothing beyond Redis having applied it.
 * The Redis settings are checked at start, on every reconnection and every minute: when they
 * cannot keep the promise the pod warns, sets parley_message_durability_guaranteed to 0 and
 * says so in /readyz (it keeps serving: refusing every message would be worse than the risk).
 */
export class MessageDurability {
  private current: DurabilityStatus;
  private timer: NodeJS.Timeout | undefined;
  private readonly onReady = () => void this.check();

  constructor(private readonly settings: MessageDurabilitySettings) {
    this.current = { mode: settings.mode, guaranteed: null, detail: 'not checked yet' };
  }

  start(): Promise<DurabilityStatus> {
    this.settings.redis.on('ready', this.onReady);
    this.timer = setInterval(this.onReady, RECHECK_INTERVAL_MS);
    this.timer.unref();
    return this.check();
  }

  stop(): void {
    clearInterval(this.timer);
    this.settings.redis.off('ready', this.onReady);
  }

  status(): DurabilityStatus {
    return this.current;
  }

  /**
   * After a batch's script: resolves true once the batch is as durable as MESSAGE_DURABILITY
   * says (for `fsync` and `none` the script's reply already is that point).
   */
  async confirm(slotKey: string = this.settings.acceptSlotKey): Promise<boolean> {
    const { mode, redis, waitReplicas, waitTimeoutMs, logger } = this.settings;
    if (mode !== 'replicas') return true;
    const replicas = await primaryOfKey(redis, slotKey)
      .then((primary) => primary.wait(waitReplicas, waitTimeoutMs))
      .catch(() => 0);
    if (replicas >= waitReplicas) return true;
    logger.warn({ replicas, wanted: waitReplicas }, 'accepted batch not confirmed by enough replicas in time; answering unavailable');
    return false;
  }

  async check(): Promise<DurabilityStatus> {
    const previous = this.current;
    this.current = await this.inspect();
    this.settings.metrics().messageDurabilityGuaranteed.set({ mode: this.current.mode }, this.current.guaranteed ? 1 : 0);
    const changed = previous.guaranteed !== this.current.guaranteed || previous.detail !== this.current.detail;
    if (changed) {
      const fields = { mode: this.current.mode, guaranteed: this.current.guaranteed, detail: this.current.detail };
      if (this.current.guaranteed || this.current.mode === 'none') this.settings.logger.info(fields, 'message durability');
      else this.settings.logger.warn(fields, `MESSAGE_DURABILITY=${this.current.mode} is not kept by this Redis: ${this.current.detail}`);
    }
    return this.current;
  }

  private async inspect(): Promise<DurabilityStatus> {
    const { mode, redis, waitReplicas } = this.settings;
    if (mode === 'none') {
      return { mode, guaranteed: false, detail: 'no durability asked for: acknowledged messages survive only what Redis persistence happens to keep' };
    }
    try {
      if (mode === 'replicas') {
        const replicas = await connectedReplicas(redis);
        return replicas >= waitReplicas
          ? { mode, guaranteed: true, detail: `${replicas} replica(s) connected, ${waitReplicas} must confirm each batch` }
          : { mode, guaranteed: false, detail: `${replicas} replica(s) connected but ${waitReplicas} must confirm each batch: every send will be answered unavailable` };
      }
      const config = await readRedisConfig(redis, ['appendonly', 'appendfsync']);
      if (config.appendonly !== 'yes') {
        return { mode, guaranteed: false, detail: `appendonly is ${config.appendonly ?? 'unset'}: a Redis restart loses every accepted message not yet stored; set appendonly yes and appendfsync always` };
      }
      if (config.appendfsync !== 'always') {
        return {
          mode,
          guaranteed: false,
          detail: `appendfsync is ${config.appendfsync ?? 'unset'}: Redis answers before fsyncing, so a crash can lose about the last second of acknowledged messages (more when fsync stalls); set appendfsync always`,
        };
      }
      return { mode, guaranteed: true, detail: 'appendonly yes, appendfsync always: Redis fsyncs every batch before acknowledging it' };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { mode, guaranteed: false, detail: `cannot read the Redis settings (${reason}): make sure Redis runs with appendonly yes and appendfsync always` };
    }
  }
}
