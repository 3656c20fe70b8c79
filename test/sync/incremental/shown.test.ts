import { describe, expect, it } from 'vitest';
import { formatRun } from '../../../src/queue/format-status.js';
import type { SyncInfo } from '../../../src/sync/incremental/sync-info.js';
import { buildReport } from '../../../src/sync/report.js';
import { formatSummary } from '../../../src/sync/summary.js';
import { emptyTally } from '../../../src/sync/tally.js';

// Where a person sees how an incremental mapping read: the run summary and `status`.

const base = {
  mapping: 'deals',
  runId: 'r',
  mode: 'diff' as const,
  dryRun: false,
  startedAt: 0,
  finishedAt: 1000,
};
const incremental: SyncInfo = {
  kind: 'incremental',
  rowsSkipped: 9500,
  entriesFlagged: 20,
  entriesReread: 21,
  feedPages: 1,
  ownChangesSkipped: 0,
  liveScanCalls: 100,
  readCalls: 24,
  callsSaved: 76,
  nextReconcileBy: '2026-12-09T00:00:00.000Z',
};
const summaryLine = (sync?: SyncInfo) =>
  formatSummary(buildReport({ ...base, tally: emptyTally(), ...(sync ? { sync } : {}) }))
    .split('\n')
    .find((line) => line.startsWith('  sync'));

describe('how a run read current values, as shown', () => {
  it('the summary has a sync line for incremental mappings only', () => {
    expect(summaryLine(incremental)).toBe(
      '  sync     incremental: 9500 rows skipped by the state, 20 entries flagged by the feed, 21 re-read, 1 feed pages; 76 calls saved vs a live scan (100 calls); next reconcile by 2026-12-09T00:00:00.000Z',
    );
    expect(
      summaryLine({
        ...incremental,
        kind: 'reconcile',
        reason: 'state-expired',
        detail: 'the last reconcile was at X',
        callsSaved: -2,
      }),
    ).toBe(
      '  sync     reconcile (state-expired: the last reconcile was at X): the whole list read and the state rebuilt; -2 calls saved vs a live scan (100 calls)',
    );
    expect(
      summaryLine({
        ...incremental,
        kind: 'live',
        reason: 'no-durable-state',
        detail: 'REDIS_URL is not set',
      }),
    ).toBe('  sync     live: REDIS_URL is not set');
    expect(summaryLine({ ...incremental, kind: 'live', reason: 'mapping-live' })).toBeUndefined();
    expect(summaryLine()).toBeUndefined();
  });

  it('status names the kind of an incremental mapping’s runs', () => {
    const entry = (sync: SyncInfo) => ({
      jobId: 'j',
      trigger: 'schedule' as const,
      attempt: 1,
      attempts: 3,
      report: buildReport({ ...base, tally: emptyTally(), sync }),
    });
    expect(formatRun(entry(incremental))).toContain('incremental (9500 skipped, 20 flagged, 76 calls saved)');
    expect(formatRun(entry({ ...incremental, kind: 'reconcile', reason: 'first-run' }))).toContain(
      'reconcile (first-run)',
    );
    expect(formatRun(entry({ ...incremental, kind: 'live', reason: 'mapping-live' }))).not.toMatch(
      /incremental|reconcile/,
    );
  });
});
