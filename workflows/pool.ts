/**
 * At most `parallelism` calls in flight, items taken in order. Deterministic: which item
 * starts next depends only on the order of completions, which the history records.
 */
export async function inPool<T>(items: readonly T[], parallelism: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallelism, items.length)) }, lane));
}
