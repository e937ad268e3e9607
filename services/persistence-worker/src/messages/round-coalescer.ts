/** What a round answers for one of its parts: its own outcome, or the error that fails only it. */
export type PartResult<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface RoundCoalescerSettings {
  /**
   * Shortest time between two rounds' starts (MESSAGES_ROUND_WINDOW_MS): a part that arrives
   * sooner after the last start waits for the rest of it. 0: a round starts as soon as the
   * previous one ends.
   */
  windowMs: number;
  /** A round starts at once, window or not, when this many parts wait (the jobs a worker holds). */
  maxParts: number;
}

/**
 * Callers that arrive while a round runs, or within `windowMs` of the last round's start, share
 * the next one: the first caller on a coalescer idle for a whole window starts a round at once
 * (after the current tick, so callers of the same tick join it); the others wait for the window
 * to end, or for `maxParts` of them to wait. Rounds never overlap, so under load each round
 * carries what piled up during the previous one, and a quiet process pays no wait
 * (docs/decisions/0045-shared-store-rounds.md).
 *
 * `run` answers each part on its own (one part's error need not fail the others); if it throws,
 * every part of the round gets that error.
 */
export class RoundCoalescer<P, R> {
  private waiting: Array<{ part: P; resolve(value: R): void; reject(error: unknown): void }> = [];
  private running = false;
  private cancelScheduled: (() => void) | undefined;
  private lastStartedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly run: (parts: P[]) => Promise<Array<PartResult<R>>>,
    private readonly settings: RoundCoalescerSettings = { windowMs: 0, maxParts: Number.POSITIVE_INFINITY },
  ) {}

  submit(part: P): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ part, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.waiting.length === 0) return;
    if (this.waiting.length >= this.settings.maxParts) {
      // Nothing more can join (the worker holds no more jobs): waiting longer only adds lag.
      this.cancelScheduled?.();
      this.cancelScheduled = undefined;
      this.startSoon(0);
      return;
    }
    if (this.cancelScheduled) return;
    this.startSoon(this.lastStartedAt + this.settings.windowMs - performance.now());
  }

  private startSoon(delayMs: number): void {
    if (delayMs <= 0) {
      const immediate = setImmediate(() => this.start());
      this.cancelScheduled = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(() => this.start(), delayMs);
      this.cancelScheduled = () => clearTimeout(timer);
    }
  }

  private start(): void {
    this.cancelScheduled = undefined;
    if (this.running || this.waiting.length === 0) return;
    this.running = true;
    this.lastStartedAt = performance.now();
    void this.runRound();
  }

  private async runRound(): Promise<void> {
    const taken = this.waiting.splice(0);
    try {
      const results = await this.run(taken.map((entry) => entry.part));
      taken.forEach((entry, index) => {
        const result = results[index];
        if (!result) entry.reject(new Error('the round answered no result for this part'));
        else if (result.ok) entry.resolve(result.value);
        else entry.reject(result.error);
      });
    } catch (error) {
      for (const entry of taken) entry.reject(error);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
