import { describe, expect, it } from 'vitest';
import { ProblemLog, problemCap } from '../../src/sync/problem.js';
import { buildReport, exitCodeOf, runStatus } from '../../src/sync/report.js';
import { emptyTally } from '../../src/sync/tally.js';

const base = { mapping: 'm', runId: 'r1', mode: 'diff' as const, dryRun: false, startedAt: 1_000 };

describe('buildReport', () => {
  it('copies the tally, dates the run and keeps problems up to the cap', () => {
    const tally = emptyTally();
    tally.rows.read = 3;
    tally.calls.total = 7;
    tally.limiterWaitMs = 12.6;
    const problems = new ProblemLog();
    for (let i = 0; i <= problemCap; i++) problems.add({ code: 'unmatched', row: i + 1, reason: 'x' });
    const report = buildReport({ ...base, finishedAt: 3_500, tally, problems });
    expect(report).toMatchObject({
      startedAt: '1970-01-01T00:00:01.000Z',
      finishedAt: '1970-01-01T00:00:03.500Z',
      durationMs: 2_500,
      status: 'succeeded',
      rows: { read: 3 },
      calls: { total: 7 },
      limiterWaitMs: 13,
      problemsOmitted: 1,
    });
    expect(report.problems).toHaveLength(problemCap);
    expect(report).not.toHaveProperty('error');
    // Every report lists changes, even a run that wrote none.
    expect(report).toMatchObject({ changes: [], changesOmitted: 0 });
    // The report owns its counts: a later change to the tally does not reach it.
    tally.rows.read = 99;
    expect(report.rows.read).toBe(3);
  });

  it('derives the status: failed with an error, partial for failed entries, rejected values or ambiguous rows', () => {
    expect(runStatus(emptyTally(), 'stopped')).toBe('failed');
    expect(runStatus(emptyTally(), undefined)).toBe('succeeded');
    const unmatched = emptyTally();
    unmatched.rows.unmatched = 5;
    expect(runStatus(unmatched, undefined)).toBe('succeeded');
    for (const mark of [
      (t: ReturnType<typeof emptyTally>) => (t.entries.failed = 1),
      (t: ReturnType<typeof emptyTally>) => (t.rows.rejected = 1),
      (t: ReturnType<typeof emptyTally>) => (t.rows.ambiguous = 1),
    ]) {
      const tally = emptyTally();
      mark(tally);
      expect(runStatus(tally, undefined)).toBe('partial');
    }
    const failed = buildReport({ ...base, tally: emptyTally(), error: 'boom' });
    expect(failed).toMatchObject({ status: 'failed', error: 'boom' });
    expect(exitCodeOf(failed)).toBe(1);
  });
});
