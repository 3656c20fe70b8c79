import { describe, expect, it } from 'vitest';
import type { FieldUpdate } from '../../src/affinity/field-value.js';
import { updateBatches } from '../../src/sync/update-batches.js';

const updates = (n: number): FieldUpdate[] =>
  Array.from({ length: n }, (_, i) => ({ id: `field-${i}`, value: { type: 'number', data: i } }));

describe('updateBatches', () => {
  it('splits updates into calls of at most 100, in order', () => {
    expect(updateBatches(updates(0))).toEqual([]);
    expect(updateBatches(updates(1)).map((b) => b.length)).toEqual([1]);
    expect(updateBatches(updates(100)).map((b) => b.length)).toEqual([100]);
    expect(updateBatches(updates(101)).map((b) => b.length)).toEqual([100, 1]);
    const batches = updateBatches(updates(150));
    expect(batches.map((b) => b.length)).toEqual([100, 50]);
    expect(batches.flat()).toEqual(updates(150));
    expect(updateBatches(updates(5), 2).map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('refuses a batch size that is not a whole number ≥ 1', () => {
    expect(() => updateBatches(updates(3), 0)).toThrow('updates per call must be a whole number ≥ 1, got 0');
    expect(() => updateBatches(updates(3), 1.5)).toThrow(
      'updates per call must be a whole number ≥ 1, got 1.5',
    );
  });
});
