/**
 * Durations as the ChatPlatform spec writes them: one or more `<integer><unit>` parts with the
 * units ms, s, m, h and d (e.g. `30d`, `2m`, `1h30m`, `500ms`). The CRD validates the same pattern.
 */
export const DURATION_PATTERN = '^([0-9]+(ms|s|m|h|d))+$';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Milliseconds of a duration string; throws DurationError on anything else. */
export function parseDuration(text: string): number {
  if (!new RegExp(DURATION_PATTERN).test(text)) throw new DurationError(`"${text}" is not a duration like 30d, 2m or 1h30m`);
  let total = 0;
  for (const match of text.matchAll(/([0-9]+)(ms|s|m|h|d)/g)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  }
  return total;
}
