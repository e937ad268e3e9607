export interface MicroBatcherSettings<Item> {
  /** Shortest time between two batch starts: the longest an item waits for companions. */
  maxWaitMs: number;
  maxSize: number;
  /** Processes one batch (must not throw); batches run one at a time, in arrival order. */
  process(items: Item[]): Promise<void>;
}

/**
 * Collects items into batches that start at most once per `maxWaitMs` (sooner only when
 * `maxSize` items wait). Batches never overlap, so a retry arriving during a batch sees that
 * batch's outcome.
 *
 * The window runs from the last batch's start, not from an item's arrival: an item on a quiet
 * batcher (none started for a whole window) starts a batch at once, after the current tick so
 * that items of the same tick join it; under load each batch carries what arrived over a whole
 * window. Every batch costs round trips and one persistence job, whose fixed cost (in Redis,
 * chat-socket, the worker and PostgreSQL) dominates at high rates
 * (docs/decisions/0022-send-batch-window.md).
 */
export class MicroBatcher<Item> {
  private pending: Item[] = [];
  private cancelScheduled: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private lastStartedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly settings: MicroBatcherSettings<Item>) {}

  add(item: Item): void {
    this.pending.push(item);
    if (this.running) return;
    if (this.pending.length >= this.settings.maxSize) this.start();
    else this.scheduleStart();
  }

  /** Processes everything collected so far (shutdown). */
  async drain(): Promise<void> {
    while (this.running || this.pending.length > 0) {
      if (!this.running) this.start();
      await this.running;
    }
  }

  private start(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
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

  /** Starts the next batch when it is full, else when the window since the last start is over. */
  private afterBatch(): void {
    if (this.pending.length === 0) return;
    if (this.pending.length >= this.settings.maxSize) this.start();
    else this.scheduleStart();
  }

  /** Once per window: after this tick if the last start is a window ago, else when the window ends. */
  private scheduleStart(): void {
    if (this.cancelScheduled) return;
    const windowLeftMs = this.lastStartedAt + this.settings.maxWaitMs - performance.now();
    if (windowLeftMs <= 0) {
      const immediate = setImmediate(() => this.start());
      this.cancelScheduled = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(() => this.start(), windowLeftMs);
      this.cancelScheduled = () => clearTimeout(timer);
    }
  }
}
