import type { OverviewView, RunDetailView } from '../../src/http/operator-page/operator-view.js';
import { runViewFromHistory } from '../../src/http/operator-page/run-view.js';
import { failureReport } from '../../src/queue/failure-report.js';
import type { HistoryEntry } from '../../src/queue/history-store.js';
import type { RunReport } from '../../src/sync/report.js';

// Views of the operator page made by hand, for the render tests (no server).

export const now = Date.parse('2026-07-02T08:00:00Z');

/** A partial run of `mapping` with counts, changes and problems (user data with markup in it). */
export function sampleReport(overrides: Partial<RunReport> & Record<string, unknown> = {}): RunReport {
  const base = failureReport({
    mapping: 'portfolio-arr',
    runId: 'portfolio-arr.abc.1',
    mode: 'diff',
    startedAt: Date.parse('2026-07-02T06:00:01Z'),
    error: '',
  });
  const { error: _error, ...rest } = base;
  return {
    ...rest,
    status: 'partial',
    durationMs: 3140,
    finishedAt: '2026-07-02T06:00:04.140Z',
    rows: { read: 61, matched: 60, unmatched: 1, ambiguous: 0, duplicate: 0, rejected: 1 },
    entries: { updated: 60, unchanged: 0, failed: 0 },
    fields: { written: 60, unchanged: 0, rejected: 1 },
    calls: { total: 63, read: 3, write: 60, retried: 0, rateLimited: 0 },
    limiterWaitMs: 0,
    changes: [
      {
        entryId: 10001,
        entityId: 501,
        entityName: 'Falcon <Analytics>',
        fieldId: 'field-101',
        fieldName: 'ARR',
        before: 1200,
        after: 1300,
        sent: 1300,
      },
    ],
    changesOmitted: 0,
    problems: [
      {
        code: 'rejected-value',
        row: 2,
        key: 'entry_id=10002',
        column: 'stage',
        value: '<img src=x onerror=alert(1)>',
        reason: '"<img src=x onerror=alert(1)>" is not an option of "Stage"',
      },
      { code: 'unmatched', row: 61, key: 'entry_id=999999', reason: 'no list entry 999999 on list 1001' },
    ],
    problemsOmitted: 0,
    ...overrides,
  } as RunReport;
}

export function historyEntry(report: RunReport = sampleReport()): HistoryEntry {
  return {
    jobId: 'portfolio-arr.abc',
    trigger: 'schedule',
    attempt: 1,
    attempts: 3,
    mappingHash: '3f1c9a0b7d2e',
    report,
  };
}

export function overview(overrides: Partial<OverviewView> = {}): OverviewView {
  return {
    workerId: 'node-a.1.5c2e81f0',
    source: 'redis-history',
    notes: [],
    busy: false,
    unloadable: [],
    mappings: [
      {
        name: 'portfolio-arr',
        file: '/mappings/portfolio-arr.yaml',
        hash: '3f1c9a0b7d2e',
        facts: [{ label: 'Writes to', value: 'list 1001' }],
        schedule: { cron: '0 2 * * *', timezone: 'America/New_York', next: '2026-07-03T06:00:00.000Z' },
        running: [],
        queued: [],
        otherVersions: [],
        runs: [runViewFromHistory(historyEntry())],
      },
    ],
    ...overrides,
  };
}

export function runDetail(overrides: Partial<RunDetailView> = {}): RunDetailView {
  const entry = historyEntry();
  const report = entry.report;
  return {
    mapping: 'portfolio-arr',
    run: runViewFromHistory(entry),
    source: 'redis-history',
    changes: {
      page: {
        total: 1,
        offset: 0,
        items: report.changes.map((c) => ({
          listEntryId: c.entryId,
          entityId: c.entityId,
          ...(c.entityName ? { entityName: c.entityName } : {}),
          fieldId: c.fieldId,
          fieldName: c.fieldName,
          before: c.before,
          after: c.after,
          sent: c.sent,
        })),
      },
    },
    problems: {
      page: {
        total: 2,
        offset: 0,
        items: report.problems.map((p) => ({
          code: p.code,
          ...(p.row === undefined ? {} : { row: p.row }),
          ...(p.key === undefined ? {} : { key: p.key }),
          ...(p.column === undefined ? {} : { column: p.column }),
          ...(p.value === undefined ? {} : { value: p.value }),
          reason: p.reason,
        })),
      },
    },
    limit: 50,
    notes: [],
    ...overrides,
  };
}
