import { describe, expect, it } from 'vitest';
import type { Tolerance } from '../../src/mappings/health-schema.js';
import { buildReport, exitCodeOf } from '../../src/sync/report.js';
import { runHealth, within } from '../../src/sync/run-health.js';
import { emptyTally, type Tally } from '../../src/sync/tally.js';

// Tolerance → status and warnings: the pure decision next to runStatus.

function tally(counts: {
  rejected?: number;
  planned?: number;
  failed?: number;
  updated?: number;
  ambiguous?: number;
}): Tally {
  const t = emptyTally();
  t.fields.rejected = counts.rejected ?? 0;
  t.rows.rejected = Math.min(counts.rejected ?? 0, 1);
  t.valuesPlanned = counts.planned ?? 100;
  t.entries.failed = counts.failed ?? 0;
  t.entries.updated = counts.updated ?? 100;
  t.rows.ambiguous = counts.ambiguous ?? 0;
  return t;
}

const base = { mapping: 'm', runId: 'r', mode: 'diff' as const, dryRun: false, startedAt: 0 };

describe('runHealth', () => {
  it('tolerates nothing by default: one rejected value or failed entry makes the run partial', () => {
    expect(runHealth(tally({}), undefined)).toEqual({ status: 'succeeded', warnings: 0 });
    expect(runHealth(tally({ rejected: 1 }), undefined)).toEqual({ status: 'partial', warnings: 0 });
    expect(runHealth(tally({ failed: 1 }), undefined)).toEqual({ status: 'partial', warnings: 0 });
    expect(runHealth(tally({}), 'stopped')).toEqual({ status: 'failed', warnings: 0 });
  });

  it('rejectedValues: 5 → 3 rejected is succeeded with 3 warnings (exit 0); 6 is partial (exit 1)', () => {
    const tolerance: Tolerance = { rejectedValues: { count: 5 } };
    const three = buildReport({ ...base, tally: tally({ rejected: 3 }), tolerance });
    expect(three).toMatchObject({ status: 'succeeded', warnings: 3 });
    expect(exitCodeOf(three)).toBe(0);
    const six = buildReport({ ...base, tally: tally({ rejected: 6 }), tolerance });
    expect(six).toMatchObject({ status: 'partial', warnings: 0 });
    expect(exitCodeOf(six)).toBe(1);
  });

  it('percentages: of the values planned for rejected values, of the entries to write for failed entries', () => {
    const tolerance: Tolerance = { rejectedValues: { percent: 2 }, failedEntries: { percent: 10 } };
    // 2 of 100 values = 2%: within; 3 of 100 = 3%: beyond.
    expect(runHealth(tally({ rejected: 2, planned: 100 }), undefined, tolerance)).toEqual({
      status: 'succeeded',
      warnings: 2,
    });
    expect(runHealth(tally({ rejected: 3, planned: 100 }), undefined, tolerance).status).toBe('partial');
    // 1 failed of 10 entries to write (9 updated + 1 failed) = 10%: within; 2 of 10: beyond.
    expect(runHealth(tally({ failed: 1, updated: 9 }), undefined, tolerance)).toEqual({
      status: 'succeeded',
      warnings: 1,
    });
    expect(runHealth(tally({ failed: 2, updated: 8 }), undefined, tolerance).status).toBe('partial');
  });

  it('each category is judged alone: the one within its tolerance still counts as warnings', () => {
    const tolerance: Tolerance = { rejectedValues: { count: 5 } };
    expect(runHealth(tally({ rejected: 4, failed: 1 }), undefined, tolerance)).toEqual({
      status: 'partial',
      warnings: 4,
    });
    expect(
      runHealth(tally({ rejected: 4, failed: 1 }), undefined, { ...tolerance, failedEntries: { count: 1 } }),
    ).toEqual({
      status: 'succeeded',
      warnings: 5,
    });
  });

  it('an ambiguous domain is never tolerated', () => {
    expect(runHealth(tally({ ambiguous: 1 }), undefined, { rejectedValues: { percent: 100 } }).status).toBe(
      'partial',
    );
  });

  it('within(): counts, decimals and an empty base', () => {
    expect(within(0, 0, undefined)).toBe(true);
    expect(within(1, 1000, undefined)).toBe(false);
    expect(within(5, 0, { count: 5 })).toBe(true);
    expect(within(1, 0, { percent: 100 })).toBe(false);
    expect(within(25, 1000, { percent: 2.5 })).toBe(true);
    expect(within(26, 1000, { percent: 2.5 })).toBe(false);
  });
});
