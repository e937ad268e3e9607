export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One scrape of a /metrics endpoint, parsed from the Prometheus text format. */
export class Scrape {
  constructor(readonly samples: Sample[]) {}

  static async of(adminUrl: string): Promise<Scrape> {
    const response = await fetch(`${adminUrl}/metrics`);
    if (response.status !== 200) throw new Error(`${adminUrl}/metrics answered ${response.status}`);
    return Scrape.parse(await response.text());
  }

  static parse(text: string): Scrape {
    const samples: Sample[] = [];
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) continue;
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1]!, label[2]!]));
      samples.push({ name: match[1]!, labels, value: Number(match[3]) });
    }
    return new Scrape(samples);
  }

  /** Every metric name present (histograms as their _bucket, _sum and _count series). */
  names(): Set<string> {
    return new Set(this.samples.map((sample) => sample.name));
  }

  /** Sum of the samples of `name` whose labels include `labels`; undefined when none exists. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const matching = this.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
    return matching.length === 0 ? undefined : matching.reduce((total, sample) => total + sample.value, 0);
  }
}

/** How much a series moved between two scrapes (a missing "before" counts as 0). */
export function moved(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}): number {
  const now = after.value(name, labels);
  if (now === undefined) throw new Error(`${name}${JSON.stringify(labels)} is not exported`);
  return now - (before.value(name, labels) ?? 0);
}
