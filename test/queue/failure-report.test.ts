import { describe, expect, it } from 'vitest';
import { failureReport } from '../../src/queue/failure-report.js';
import { buildReport } from '../../src/sync/report.js';
import { emptyTally } from '../../src/sync/tally.js';

describe('failureReport', () => {
  it('is the engine report of a run that stopped before counting anything', () => {
    const startedAt = Date.now() - 1_500;
    const report = failureReport({ mapping: 'm', runId: 'j.1', mode: 'overwrite', startedAt, error: 'gone' });
    const zero = emptyTally();
    expect(report).toEqual({
      ...buildReport({
        mapping: 'm',
        runId: 'j.1',
        mode: 'overwrite',
        dryRun: false,
        startedAt,
        finishedAt: Date.parse(report.finishedAt),
        tally: zero,
        error: 'gone',
      }),
    });
    expect(report).toMatchObject({ status: 'failed', error: 'gone', dryRun: false, problemsOmitted: 0 });
    expect(report.rows).toEqual(zero.rows);
    expect(report.calls).toEqual(zero.calls);
    expect(report.durationMs).toBeGreaterThanOrEqual(1_500);
  });
});
