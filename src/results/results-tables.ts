// The results store's tables, as numbered migrations. Migrations only ever add (tables, nullable
// columns, indexes), so an older affinity-sync keeps writing into a schema a newer one migrated.

/** One step of the schema: applied once, in order, recorded in `schema_version`. */
export interface Migration {
  version: number;
  description: string;
  /** The statements, for the (already quoted) schema name. */
  sql: (schema: string) => string;
}

/** A run's counts as `runs` columns, in the report's order. */
export const countColumns = [
  'rows_read',
  'rows_matched',
  'rows_unmatched',
  'rows_ambiguous',
  'rows_duplicate',
  'rows_rejected',
  'entries_updated',
  'entries_unchanged',
  'entries_failed',
  'fields_written',
  'fields_unchanged',
  'fields_rejected',
  'calls_total',
  'calls_read',
  'calls_write',
  'calls_retried',
  'calls_rate_limited',
  'warnings',
  'rows_skipped_by_state',
  'entries_flagged',
  'calls_saved',
] as const;

export type CountColumn = (typeof countColumns)[number];

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, changes, problems',
    sql: (s) => `
      create table ${s}.runs (
        run_id text primary key,
        mapping text not null,
        -- running until the run's report lands; then succeeded, partial or failed
        status text not null,
        dry_run boolean not null,
        mode text not null,
        -- null for a list mapping; companies or persons for a target: mapping (list_entry_id then holds their ids)
        target text,
        -- live, reconcile or incremental (sync: in the mapping)
        sync_kind text,
        started_at timestamptz not null,
        finished_at timestamptz,
        duration_ms bigint,
        ${countColumns.map((c) => `${c} bigint`).join(',\n        ')},
        limiter_wait_ms bigint,
        problems_omitted bigint,
        error text
      );
      create index runs_mapping_started on ${s}.runs (mapping, started_at desc);
      create table ${s}.changes (
        run_id text not null references ${s}.runs (run_id) on delete cascade,
        seq integer not null,
        list_entry_id bigint not null,
        entity_id bigint not null,
        entity_name text,
        field_id text not null,
        field_name text not null,
        before jsonb,
        after jsonb,
        sent jsonb,
        primary key (run_id, seq)
      );
      create index changes_list_entry on ${s}.changes (list_entry_id);
      create table ${s}.problems (
        run_id text not null references ${s}.runs (run_id) on delete cascade,
        seq integer not null,
        code text,
        row bigint,
        key text,
        "column" text,
        list_entry_id bigint,
        value text,
        reason text not null,
        primary key (run_id, seq)
      );
      create table ${s}.creations (
        run_id text not null references ${s}.runs (run_id) on delete cascade,
        seq integer not null,
        -- list-entry, company or dropdown-option
        kind text not null,
        -- the new id (null in a dry run, which creates nothing)
        id bigint,
        -- everything else the report's creation record says (row, key, entity, name, domain, field, text)
        detail jsonb not null,
        primary key (run_id, seq)
      );`,
  },
];

/** The version a fully migrated schema is at. */
export const latestVersion = Math.max(...migrations.map((m) => m.version));

/** A name quoted as a SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
