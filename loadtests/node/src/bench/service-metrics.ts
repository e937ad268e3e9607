/** The Prometheus text exposition of one process, or '' when it does not answer. */
export async function scrapeText(baseUrl: string): Promise<string> {
  return fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })
    .then((response) => (response.ok ? response.text() : ''))
    .catch(() => '');
}

/** One sample of a Prometheus text exposition: the first series of `name`, or NaN. */
export async function scrapeMetric(baseUrl: string, name: string): Promise<number> {
  for (const line of (await scrapeText(baseUrl)).split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(value)) return value;
    }
  }
  return Number.NaN;
}

/** Cumulative bucket counts of a histogram (every label set summed), by upper bound. */
export type HistogramBuckets = Map<number, number>;

export function histogramBuckets(text: string, name: string): HistogramBuckets {
  const buckets: HistogramBuckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return buckets;
}

/** Sums several processes' buckets, or subtracts an earlier scrape (sign −1). */
export function combineBuckets(into: HistogramBuckets, other: HistogramBuckets, sign = 1): HistogramBuckets {
  const result = new Map(into);
  for (const [bound, count] of other) result.set(bound, (result.get(bound) ?? 0) + sign * count);
  return result;
}

/**
 * The q-quantile (0..1) of a cumulative histogram, interpolated linearly inside the bucket as
 * Prometheus' histogram_quantile does; NaN when empty. In seconds, like the histogram.
 */
export function bucketQuantile(buckets: HistogramBuckets, q: number): number {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Number.POSITIVE_INFINITY) ?? buckets.get(bounds.at(-1) ?? 0) ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound)!;
    if (count >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return previousBound;
      const inBucket = count - previousCount;
      return inBucket <= 0 ? bound : previousBound + ((bound - previousBound) * (rank - previousCount)) / inBucket;
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound;
}
