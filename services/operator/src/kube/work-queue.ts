export interface WorkResult {
  /** Process the key again after this long, unless an event brings it back sooner. */
  requeueAfterMs?: number;
}

export interface WorkQueueSettings {
  process(key: string): Promise<WorkResult | void>;
  /** First retry delay after a failure; doubles per consecutive failure of the same key. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  onError?(key: string, error: unknown, retryInMs: number): void;
}

/**
 * The controller's work queue, shaped like client-go's: keys (`namespace/name`), never the
 * objects, so a burst of events for one object becomes one reconcile of its latest state. A key
 * is queued at most once, never processed twice at the same time (an add while it is processed
 * runs it once more afterwards), retried with exponential backoff on failure, and can be
 * scheduled for later (requeue-after).
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private processing: string | undefined;
  private loop: Promise<void> | undefined;
  private running = false;
  private stopped = false;

  constructor(private readonly settings: WorkQueueSettings) {}

  add(key: string): void {
    if (this.stopped) return;
    this.cancelTimer(key);
    if (this.processing === key) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    if (!this.running) {
      this.running = true;
      this.loop = this.run();
    }
  }

  /** Adds the key after `delayMs`; an earlier schedule of the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    const at = Date.now() + Math.max(0, delayMs);
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, Math.max(0, delayMs));
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Drops a key's retry history and schedule (its object is gone). */
  forget(key: string): void {
    this.cancelTimer(key);
    this.failures.delete(key);
  }

  get length(): number {
    return this.queue.length;
  }

  /** Stops taking keys and waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    await this.loop;
  }

  private cancelTimer(key: string): void {
    const existing = this.timers.get(key);
    if (!existing) return;
    clearTimeout(existing.timer);
    this.timers.delete(key);
  }

  private async run(): Promise<void> {
    try {
      for (let key = this.queue.shift(); key !== undefined && !this.stopped; key = this.queue.shift()) {
        await this.processOne(key);
      }
    } finally {
      // In the same synchronous step as the last shift(), so an add() never finds a loop that is ending.
      this.running = false;
    }
  }

  private async processOne(key: string): Promise<void> {
    this.queued.delete(key);
    this.processing = key;
    try {
      const result = await this.settings.process(key);
      this.failures.delete(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      const retryInMs = Math.min(this.settings.maxBackoffMs, this.settings.baseBackoffMs * 2 ** (attempt - 1));
      this.settings.onError?.(key, error, retryInMs);
      this.addAfter(key, retryInMs);
    } finally {
      this.processing = undefined;
    }
    if (this.dirty.delete(key)) this.add(key);
  }
}
