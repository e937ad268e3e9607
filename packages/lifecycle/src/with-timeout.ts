/**
 * Rejects with `timed out` when `promise` has not settled within `ms`, and clears its timer
 * either way: a scrape or a probe must answer even when the store it samples hangs.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
