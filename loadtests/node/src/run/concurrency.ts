/** Runs `task` for 0..count-1 with at most `limit` at a time; rejects on the first failure. */
export async function forEachLimited(count: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (failure === undefined && next < count) {
      const index = next;
      next += 1;
      try {
        await task(index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, lane));
  if (failure !== undefined) throw failure;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
