import { describe, expect, it } from 'vitest';
import { buildReport, type RunReport } from '../../src/sync/report.js';
import { formatSummary } from '../../src/sync/summary.js';
import { emptyTally } from '../../src/sync/tally.js';

// The summary's health lines: warnings in the first line, the end-of-run retries, a dry run's forecast.

const base = { mapping: 'm', runId: 'r', mode: 'diff' as const, startedAt: 0, finishedAt: 1500 };

describe('formatSummary and the run health', () => {
  it('says the warnings and the entries retried at the end of the run', () => {
    const tally = emptyTally();
    tally.fields.rejected = 3;
    tally.rows.rejected = 2;
    tally.valuesPlanned = 100;
    tally.entries.updated = 9;
    tally.entries.failed = 1;
    tally.transient = { retried: 4, failed: 1 };
    const report = buildReport({
      ...base,
      dryRun: false,
      tally,
      tolerance: { rejectedValues: { count: 5 }, failedEntries: { count: 1 } },
    });
    const lines = formatSummary(report).split('\n');
    expect(lines[0]).toBe('m: SUCCEEDED in 1.5s (diff, 4 warnings)');
    expect(lines).toContain(
      '  retried  4 entries after a transient failure, at the end of the run: 3 written, 1 still failing',
    );
  });

  it("prints a dry run's forecast and its quota warning", () => {
    const report = buildReport({
      ...base,
      dryRun: true,
      tally: emptyTally(),
      forecast: {
        reads: 3,
        writes: 20,
        total: 23,
        allowance: { remaining: 57, limit: 1000 },
        warning: 'a real run would spend 23 calls, 40% of the 57 left this month (QUOTA_WARN_SHARE 0.2)',
      },
    });
    expect(formatSummary(report)).toContain(
      '  forecast a real run: 23 calls (3 read, 20 write); 57 calls of the monthly allowance left (of 1,000)\n' +
        '  warning  quota: a real run would spend 23 calls, 40% of the 57 left this month (QUOTA_WARN_SHARE 0.2)',
    );
  });

  it('formats a report an older worker kept (no warnings, no transient)', () => {
    const {
      warnings: _w,
      transient: _t,
      ...old
    } = buildReport({ ...base, dryRun: false, tally: emptyTally() });
    expect(formatSummary(old as RunReport).split('\n')[0]).toBe('m: SUCCEEDED in 1.5s (diff)');
  });
});
