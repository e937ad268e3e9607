export interface MicroBatcherSettings<Item> {
  /** Longest time an item waits for companions; also the shortest time between two batch starts. */
  maxWaitMs: number;
  maxSize: number;
  /** Processes one batch (must not throw); batches run one at a time, in arrival order. */
  process(items: Item[]): Promise<void>;
}

/**
 * Collects items for at most `maxWaitMs` or `maxSize` items, then hands them over as one
 * batch. Batches never overlap, so a retry arriving during a batch sees that batch's outcome.
 *
 * Batches start at most once per `maxWaitMs` unless `maxSize` items are waiting: under load
 * each batch then carries what arrived over a whole window instead of whatever trickled in
 * while the previous one ran. Every batch costs round trips and one persistence job, whose
 * fixed cost (in Redis, the worker and PostgreSQL) is what dominates at high rates; a quiet
 * pod still answers a lone message within `maxWaitMs`.
 */
export class MicroBatcher<Item> {
  private pending: Item[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastStartedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly settings: MicroBatcherSettings<Item>) {}

  add(item: Item): void {
    this.pending.push(item);
    if (this.running) return;
    if (this.pending.length >= this.settings.maxSize) this.start();
    else this.timer ??= setTimeout(() => this.start(), this.settings.maxWaitMs);
  }

  /** Processes everything collected so far (shutdown). */
  async drain(): Promise<void> {
    while (this.running || this.pending.length > 0) {
      if (!this.running) this.start();
      await this.running;
    }
  }

  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.pending.length === 0) return;
    this.lastStartedAt = performance.now();
    const batch = this.pending.splice(0, this.settings.maxSize);
    this.running = this.settings
      .process(batch)
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        this.afterBatch();
      });
  }

  /** Starts the next batch when it is full or its window since the last start is over. */
  private afterBatch(): void {
    if (this.pending.length === 0) return;
    const windowLeftMs = this.lastStartedAt + this.settings.maxWaitMs - performance.now();
    if (this.pending.length >= this.settings.maxSize || windowLeftMs <= 0) this.start();
    else this.timer ??= setTimeout(() => this.start(), windowLeftMs);
  }
}
