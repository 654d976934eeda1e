// Runs many independent cells a few at a time: each cell is a site of its own, so they never interfere.

/** Maps `fn` over `items` with at most `width` calls in flight; results keep the items' order. */
export async function runPool<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** Runs every cell and collects failures instead of stopping at the first: one run shows the whole matrix. */
export async function runCells<T>(cells: readonly T[], width: number, label: (c: T) => string, fn: (c: T) => Promise<void>): Promise<string[]> {
  const failures: string[] = [];
  await runPool(cells, width, async (c) => {
    try {
      await fn(c);
    } catch (e) {
      // vitest keeps the diff of a failed expectation apart from its message: show both.
      const diff = (e as { diff?: string }).diff;
      failures.push(`${label(c)}: ${(e as Error).message}${diff ? `\n${diff.split('\n').slice(0, 40).join('\n')}` : ''}`);
    }
  });
  return failures;
}
