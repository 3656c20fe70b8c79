import type { RunReport, RunStatus } from '../sync/report.js';

// Pure: one run as `history` shows it, from a `runs` row or from a report (the Redis history).

type Counts = Pick<RunReport, 'rows' | 'entries' | 'fields' | 'calls' | 'limiterWaitMs'>;

export interface StoredRun {
  runId: string;
  mapping: string;
  /** `running` until its report lands (or for good, when the process running it died). */
  status: RunStatus | 'running';
  dryRun: boolean;
  mode: 'diff' | 'overwrite';
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** Absent while running, and for a run that ended without a report. */
  counts?: Counts;
  error?: string;
  /** Rows in `changes` / `problems` (results store); the report's change and problem counts (Redis history). */
  changes?: number;
  problems?: number;
}

/** A `runs` row (with its change and problem counts) as selected by the results reader. */
export interface RunRow {
  run_id: string;
  mapping: string;
  status: string;
  dry_run: boolean;
  mode: string;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: string | null;
  rows_read: string | null;
  rows_matched: string | null;
  rows_unmatched: string | null;
  rows_ambiguous: string | null;
  rows_duplicate: string | null;
  rows_rejected: string | null;
  entries_updated: string | null;
  entries_unchanged: string | null;
  entries_failed: string | null;
  fields_written: string | null;
  fields_unchanged: string | null;
  fields_rejected: string | null;
  calls_total: string | null;
  calls_read: string | null;
  calls_write: string | null;
  calls_retried: string | null;
  calls_rate_limited: string | null;
  limiter_wait_ms: string | null;
  error: string | null;
  change_count: number;
  problem_count: number;
}

// int8 columns arrive as strings.
const num = (value: string | null): number => Number(value ?? 0);

export function storedRunFromRow(row: RunRow): StoredRun {
  return {
    runId: row.run_id,
    mapping: row.mapping,
    status: row.status as StoredRun['status'],
    dryRun: row.dry_run,
    mode: row.mode as StoredRun['mode'],
    startedAt: row.started_at.toISOString(),
    ...(row.finished_at ? { finishedAt: row.finished_at.toISOString() } : {}),
    ...(row.duration_ms === null ? {} : { durationMs: num(row.duration_ms) }),
    ...(row.rows_read === null
      ? {}
      : {
          counts: {
            rows: {
              read: num(row.rows_read),
              matched: num(row.rows_matched),
              unmatched: num(row.rows_unmatched),
              ambiguous: num(row.rows_ambiguous),
              duplicate: num(row.rows_duplicate),
              rejected: num(row.rows_rejected),
            },
            entries: {
              updated: num(row.entries_updated),
              unchanged: num(row.entries_unchanged),
              failed: num(row.entries_failed),
            },
            fields: {
              written: num(row.fields_written),
              unchanged: num(row.fields_unchanged),
              rejected: num(row.fields_rejected),
            },
            calls: {
              total: num(row.calls_total),
              read: num(row.calls_read),
              write: num(row.calls_write),
              retried: num(row.calls_retried),
              rateLimited: num(row.calls_rate_limited),
            },
            limiterWaitMs: num(row.limiter_wait_ms),
          },
        }),
    ...(row.error === null ? {} : { error: row.error }),
    changes: row.change_count,
    problems: row.problem_count,
  };
}

/** A report of the Redis history as a stored run (the counts of all its changes and problems, kept or not). */
export function storedRunFromReport(report: RunReport): StoredRun {
  return {
    runId: report.runId,
    mapping: report.mapping,
    status: report.status,
    dryRun: report.dryRun,
    mode: report.mode,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    durationMs: report.durationMs,
    counts: {
      rows: report.rows,
      entries: report.entries,
      fields: report.fields,
      calls: report.calls,
      limiterWaitMs: report.limiterWaitMs,
    },
    ...(report.error === undefined ? {} : { error: report.error }),
    // Reports recorded before changes were reported have neither field.
    changes: (report.changes ?? []).length + (report.changesOmitted ?? 0),
    problems: report.problems.length + report.problemsOmitted,
  };
}
