export interface MicroBatcherSettings<Item> {
  /** Longest time an item waits for companions. */
  maxWaitMs: number;
  maxSize: number;
  /** Processes one batch (must not throw); batches run one at a time, in arrival order. */
  process(items: Item[]): Promise<void>;
}

/**
 * Collects items for at most `maxWaitMs` or `maxSize` items, then hands them over as one
 * batch. Batches never overlap: while one runs the next collects (and starts as soon as the
 * running one ends, since its items have waited already), so a retry arriving during a batch
 * sees that batch's outcome.
 */
export class MicroBatcher<Item> {
  private pending: Item[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

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
    const batch = this.pending.splice(0, this.settings.maxSize);
    this.running = this.settings
      .process(batch)
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.pending.length > 0) this.start();
      });
  }
}
