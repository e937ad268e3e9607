/** Latency samples in milliseconds, kept whole (not bucketed) so percentiles are exact. */
export class LatencySamples {
  private values = new Float64Array(1024);
  private size = 0;
  private sorted: Float64Array | undefined;

  get count(): number {
    return this.size;
  }

  add(valueMs: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size] = valueMs;
    this.size += 1;
    this.sorted = undefined;
  }

  /** The nearest-rank percentile (0 < p ≤ 100); NaN when there are no samples. */
  percentile(p: number): number {
    if (this.size === 0) return Number.NaN;
    this.sorted ??= this.values.slice(0, this.size).sort();
    const rank = Math.min(this.size, Math.max(1, Math.ceil((p / 100) * this.size)));
    return this.sorted[rank - 1]!;
  }

  max(): number {
    return this.percentile(100);
  }

  mean(): number {
    if (this.size === 0) return Number.NaN;
    let sum = 0;
    for (let index = 0; index < this.size; index += 1) sum += this.values[index]!;
    return sum / this.size;
  }
}
