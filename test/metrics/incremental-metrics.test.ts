import { describe, expect, it } from 'vitest';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { buildReport } from '../../src/sync/report.js';
import { emptyTally } from '../../src/sync/tally.js';

describe('incremental metrics', () => {
  it('count runs by kind, rows skipped and entries flagged, and show the last calls saved', async () => {
    const metrics = new SyncMetrics({ defaultMetrics: false });
    const base = {
      mapping: 'deals',
      runId: 'r',
      mode: 'diff' as const,
      dryRun: false,
      startedAt: 0,
      tally: emptyTally(),
    };
    const sync = {
      kind: 'incremental' as const,
      rowsSkipped: 480,
      entriesFlagged: 3,
      entriesReread: 3,
      feedPages: 1,
      ownChangesSkipped: 0,
      liveScanCalls: 100,
      readCalls: 6,
      callsSaved: 94,
    };
    metrics.recordRun(buildReport({ ...base, sync }));
    metrics.recordRun(
      buildReport({ ...base, sync: { ...sync, kind: 'reconcile', callsSaved: -2, rowsSkipped: 0 } }),
    );
    // A report without `sync` (a run that failed before reading) counts nowhere here.
    metrics.recordRun(buildReport(base));
    const text = await metrics.registry.metrics();
    for (const line of [
      'affinity_sync_runs_by_kind_total{mapping="deals",kind="incremental"} 1',
      'affinity_sync_runs_by_kind_total{mapping="deals",kind="reconcile"} 1',
      'affinity_sync_rows_skipped_by_state_total{mapping="deals"} 480',
      'affinity_sync_entries_flagged_total{mapping="deals"} 6',
      'affinity_sync_last_read_calls_saved{mapping="deals"} -2',
    ]) {
      expect(text).toContain(line);
    }
  });
});
