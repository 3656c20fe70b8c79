import type { Change } from '../sync/change-log.js';
import type { Creation } from '../sync/creation.js';
import type { RunReport } from '../sync/report.js';
import type { RunStart, StoredProblem } from '../sync/run-sink.js';
import { type CountColumn, countColumns } from './results-tables.js';

// Pure: the statements that write a run, its changes and its problems. Batches go in as one
// INSERT … SELECT FROM unnest(arrays), so a batch of any size is one statement with fixed parameters.

export interface Statement {
  text: string;
  values: unknown[];
}

const countOf: Record<CountColumn, (r: RunReport) => number> = {
  rows_read: (r) => r.rows.read,
  rows_matched: (r) => r.rows.matched,
  rows_unmatched: (r) => r.rows.unmatched,
  rows_ambiguous: (r) => r.rows.ambiguous,
  rows_duplicate: (r) => r.rows.duplicate,
  rows_rejected: (r) => r.rows.rejected,
  entries_updated: (r) => r.entries.updated,
  entries_unchanged: (r) => r.entries.unchanged,
  entries_failed: (r) => r.entries.failed,
  fields_written: (r) => r.fields.written,
  fields_unchanged: (r) => r.fields.unchanged,
  fields_rejected: (r) => r.fields.rejected,
  calls_total: (r) => r.calls.total,
  calls_read: (r) => r.calls.read,
  calls_write: (r) => r.calls.write,
  calls_retried: (r) => r.calls.retried,
  calls_rate_limited: (r) => r.calls.rateLimited,
  warnings: (r) => r.warnings ?? 0,
  rows_skipped_by_state: (r) => r.sync?.rowsSkipped ?? 0,
  entries_flagged: (r) => r.sync?.entriesFlagged ?? 0,
  calls_saved: (r) => r.sync?.callsSaved ?? 0,
};

const runColumns = [
  'run_id',
  'mapping',
  'status',
  'dry_run',
  'mode',
  'target',
  'sync_kind',
  'started_at',
  'finished_at',
  'duration_ms',
  ...countColumns,
  'limiter_wait_ms',
  'problems_omitted',
  'error',
] as const;

/** The run's row while it runs (status `running`); a row already there is left alone. */
export function beginRunStatement(schema: string, run: RunStart): Statement {
  return {
    text: `insert into ${schema}.runs (run_id, mapping, status, dry_run, mode, started_at)
           values ($1, $2, 'running', $3, $4, $5) on conflict (run_id) do nothing`,
    values: [run.runId, text(run.mapping), run.dryRun, run.mode, run.startedAt],
  };
}

/** The run's final row, from its report (inserted, or replacing the `running` row). */
export function finishRunStatement(schema: string, report: RunReport): Statement {
  return upsertRun(schema, [
    report.runId,
    text(report.mapping),
    report.status,
    report.dryRun,
    report.mode,
    report.target ?? null,
    report.sync?.kind ?? null,
    report.startedAt,
    report.finishedAt,
    report.durationMs,
    ...countColumns.map((column) => countOf[column](report)),
    report.limiterWaitMs,
    report.problemsOmitted,
    report.error === undefined ? null : text(report.error),
  ]);
}

/** A run that ended without a report (e.g. a configuration error): failed, counts unknown (NULL). */
export function failRunStatement(schema: string, run: RunStart, reason: string, finishedAt: Date): Statement {
  const durationMs = Math.max(0, finishedAt.getTime() - Date.parse(run.startedAt));
  return upsertRun(schema, [
    run.runId,
    text(run.mapping),
    'failed',
    run.dryRun,
    run.mode,
    null,
    null,
    run.startedAt,
    finishedAt.toISOString(),
    durationMs,
    ...countColumns.map(() => null),
    null,
    null,
    text(reason),
  ]);
}

function upsertRun(schema: string, values: unknown[]): Statement {
  const placeholders = runColumns.map((_, i) => `$${i + 1}`).join(', ');
  const updates = runColumns
    .filter((c) => c !== 'run_id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  return {
    text: `insert into ${schema}.runs (${runColumns.join(', ')}) values (${placeholders})
           on conflict (run_id) do update set ${updates}`,
    values,
  };
}

/** Changes `firstSeq`, `firstSeq + 1`, … of a run. */
export function changesStatement(
  schema: string,
  runId: string,
  firstSeq: number,
  batch: readonly Change[],
): Statement {
  return {
    text: `insert into ${schema}.changes
             (run_id, seq, list_entry_id, entity_id, entity_name, field_id, field_name, before, after, sent)
           select $1, $2::int + u.n - 1, u.list_entry_id, u.entity_id, u.entity_name, u.field_id,
                  u.field_name, u.before::jsonb, u.after::jsonb, u.sent::jsonb
             from unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                  with ordinality as u(list_entry_id, entity_id, entity_name, field_id, field_name, before, after, sent, n)`,
    values: [
      runId,
      firstSeq,
      batch.map((c) => c.entryId),
      batch.map((c) => c.entityId),
      batch.map((c) => (c.entityName === undefined ? null : text(c.entityName))),
      batch.map((c) => text(c.fieldId)),
      batch.map((c) => text(c.fieldName)),
      batch.map((c) => json(c.before)),
      batch.map((c) => json(c.after)),
      batch.map((c) => json(c.sent)),
    ],
  };
}

/** Problems `firstSeq`, `firstSeq + 1`, … of a run. */
export function problemsStatement(
  schema: string,
  runId: string,
  firstSeq: number,
  batch: readonly StoredProblem[],
): Statement {
  return {
    text: `insert into ${schema}.problems (run_id, seq, code, row, key, "column", list_entry_id, value, reason)
           select $1, $2::int + u.n - 1, u.code, u.row, u.key, u.col, u.list_entry_id, u.value, u.reason
             from unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[])
                  with ordinality as u(code, row, key, col, list_entry_id, value, reason, n)`,
    values: [
      runId,
      firstSeq,
      batch.map((p) => optionalText(p.code)),
      batch.map((p) => p.row ?? null),
      batch.map((p) => optionalText(p.key)),
      batch.map((p) => optionalText(p.column)),
      batch.map((p) => p.entryId ?? null),
      batch.map((p) => optionalText(p.value)),
      batch.map((p) => text(p.reason)),
    ],
  };
}

/** The entries, companies and options a run created (report.creations; at most maxCreates of them). */
export function creationsStatement(schema: string, runId: string, creations: readonly Creation[]): Statement {
  return {
    text: `insert into ${schema}.creations (run_id, seq, kind, id, detail)
           select $1, u.n, u.kind, u.id, u.detail::jsonb
             from unnest($2::text[], $3::bigint[], $4::text[]) with ordinality as u(kind, id, detail, n)`,
    values: [
      runId,
      creations.map((c) => c.kind),
      creations.map((c) => c.id ?? null),
      creations.map(({ kind: _kind, id: _id, ...detail }) => text(JSON.stringify(detail))),
    ],
  };
}

// PostgreSQL text and jsonb cannot hold U+0000; a warehouse string may.
function text(value: string): string {
  return value.replaceAll('\u0000', '\uFFFD');
}

function optionalText(value: string | undefined): string | null {
  return value === undefined ? null : text(value);
}

/** A value as jsonb text; SQL NULL for an empty value (null or absent). */
function json(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? text(v) : v));
}
