import { describe, expect, it } from 'vitest';
import { buildReport, type RunReport } from '../../src/sync/report.js';
import { emptyTally, type Tally } from '../../src/sync/tally.js';
import { jobOutcome } from '../../src/worker/job-outcome.js';

// What a finished run means for its BullMQ job (pure).

function report(
  mark: (t: Tally) => void = () => undefined,
  extra: { error?: string; skipped?: 'quota-reserve' } = {},
): RunReport {
  const tally = emptyTally();
  tally.entries.updated = 10;
  mark(tally);
  return buildReport({
    mapping: 'm',
    runId: 'r',
    mode: 'diff',
    dryRun: false,
    startedAt: 0,
    tally,
    ...extra,
  });
}

describe('jobOutcome', () => {
  it('succeeded completes; failed is retried; a quota skip fails without retrying', () => {
    expect(jobOutcome(report(), 'schedule')).toEqual({ kind: 'complete', followUp: false });
    expect(jobOutcome(report(undefined, { error: 'boom' }), 'schedule')).toEqual({
      kind: 'retry',
      reason: 'boom',
      followUp: false,
    });
    expect(jobOutcome(report(undefined, { error: 'skipped', skipped: 'quota-reserve' }), 'schedule')).toEqual(
      {
        kind: 'fail',
        reason: 'skipped',
        followUp: false,
      },
    );
  });

  it('a partial run fails without retrying, saying what went wrong', () => {
    const partial = report((t) => {
      t.entries.failed = 3;
      t.transient.failed = 2;
      t.fields.rejected = 1;
      t.rows.rejected = 1;
      t.rows.ambiguous = 1;
    });
    expect(partial.status).toBe('partial');
    expect(jobOutcome(partial, 'backfill')).toEqual({
      kind: 'fail',
      reason:
        "ended partial: 3 entries failed (2 for a transient reason), 1 value rejected, 1 ambiguous row (beyond the mapping's tolerate:); see the run's problems (affinity-sync history m --problems)",
      followUp: true,
    });
  });

  it('asks for one follow-up when entries failed transiently, never after a follow-up', () => {
    const transient = (t: Tally) => {
      t.entries.failed = 1;
      t.transient.retried = 1;
      t.transient.failed = 1;
    };
    expect(jobOutcome(report(transient), 'schedule').followUp).toBe(true);
    expect(jobOutcome(report(transient), 'retry').followUp).toBe(false);
    // Refused entries (400/422) would fail again: no follow-up.
    expect(
      jobOutcome(
        report((t) => (t.entries.failed = 1)),
        'schedule',
      ).followUp,
    ).toBe(false);
  });
});
