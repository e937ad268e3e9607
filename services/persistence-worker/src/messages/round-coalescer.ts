/** What a round answers for one of its parts: its own outcome, or the error that fails only it. */
export type PartResult<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Callers that arrive while a round runs share the next one: the first caller on an idle
 * coalescer starts a round at once (after the current tick, so callers of the same tick join it);
 * everyone who arrives while it runs waits and goes together in the following round. Rounds never
 * overlap, so under load each round carries what piled up during the previous one, and a quiet
 * process pays no wait (docs/decisions/0045-shared-store-rounds.md).
 *
 * `run` answers each part on its own (one part's error need not fail the others); if it throws,
 * every part of the round gets that error.
 */
export class RoundCoalescer<P, R> {
  private waiting: Array<{ part: P; resolve(value: R): void; reject(error: unknown): void }> = [];
  private running = false;

  /** Rounds hold every part waiting when they start: a worker holds at most MESSAGES_CONCURRENCY jobs. */
  constructor(private readonly run: (parts: P[]) => Promise<Array<PartResult<R>>>) {}

  submit(part: P): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ part, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.waiting.length === 0) return;
    this.running = true;
    setImmediate(() => void this.runRound());
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
