import { maxUpdatesPerCall } from '../affinity/client.js';
import type { FieldUpdate } from '../affinity/field-value.js';

/**
 * Splits one entry's field updates into the calls that write them, in order: 150 updates → 100
 * and 50; none → no call.
 * @param max updates per call, a whole number ≥ 1. @defaultValue 100
 */
export function updateBatches(updates: FieldUpdate[], max = maxUpdatesPerCall): FieldUpdate[][] {
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`updates per call must be a whole number ≥ 1, got ${max}`);
  const batches: FieldUpdate[][] = [];
  for (let start = 0; start < updates.length; start += max) batches.push(updates.slice(start, start + max));
  return batches;
}
