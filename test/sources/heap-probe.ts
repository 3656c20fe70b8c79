import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// vitest workers start without --expose-gc; turning the flag on at runtime makes `gc` reachable
// from a fresh context, so retained heap can be measured rather than guessed through garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Consumes an async iterable, forcing a GC and sampling heapUsed every `every` items. Returns the
 * item count and the peak retained-heap growth over the baseline, in MB.
 */
export async function consumeMeasuringHeap<T>(
  items: AsyncIterable<T>,
  options: { every?: number; check?: (item: T, index: number) => void } = {},
): Promise<{ count: number; peakGrowthMb: number }> {
  const every = options.every ?? 20_000;
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let count = 0;
  for await (const item of items) {
    options.check?.(item, count);
    count++;
    if (count % every === 0) {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  }
  return { count, peakGrowthMb: (peak - baseline) / 1024 / 1024 };
}
