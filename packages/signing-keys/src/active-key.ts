/** What decides which key signs: the same fields on a loaded key and on a key in a Secret. */
export interface RankedKey {
  kid: string;
  /** Epoch seconds. */
  iat: number;
}

/**
 * The signing order every reader of a key set agrees on: newer `iat` first, ties broken by
 * `kid`, so every auth pod picks the same key and the operator predicts that choice.
 */
export function ranksAbove(a: RankedKey, b: RankedKey): boolean {
  return a.iat > b.iat || (a.iat === b.iat && a.kid > b.kid);
}

/** The highest-ranked key among those that may sign now (`maySign`), if any. */
export function pickActiveKey<K extends RankedKey>(keys: Iterable<K>, maySign: (key: K) => boolean): K | undefined {
  let best: K | undefined;
  for (const key of keys) {
    if (maySign(key) && (!best || ranksAbove(key, best))) best = key;
  }
  return best;
}
