import type pg from 'pg';
import { resultsSchemaVersion } from './migrate-results.js';
import { quoteIdent } from './results-tables.js';
import { type RunRow, type StoredRun, storedRunFromRow } from './stored-run.js';

/** One page of a run's changes or problems. */
export interface Page<T> {
  /** Rows the run has in the store. */
  total: number;
  offset: number;
  items: T[];
}

export interface StoredChange {
  listEntryId: number;
  entityId: number;
  entityName?: string;
  fieldId: string;
  fieldName: string;
  before: unknown;
  after: unknown;
  /** The `data` the PATCH sent. */
  sent: unknown;
}

export interface StoredProblemRow {
  code?: string;
  row?: number;
  key?: string;
  column?: string;
  listEntryId?: number;
  value?: string;
  reason: string;
}

/** Reads what `history` shows from the results store (no writes; a missing schema reads as empty). */
export class ResultsReader {
  readonly #client: pg.ClientBase;
  readonly #schema: string;
  readonly #name: string;

  constructor(client: pg.ClientBase, schema: string) {
    this.#client = client;
    this.#schema = quoteIdent(schema);
    this.#name = schema;
  }

  /** False until a run has created the tables. */
  async exists(): Promise<boolean> {
    return (await resultsSchemaVersion(this.#client, this.#name)) > 0;
  }

  /** The newest `limit` runs of `mapping`, newest first. */
  async recentRuns(mapping: string, limit: number): Promise<StoredRun[]> {
    const { rows } = await this.#client.query<RunRow>(
      `${this.#selectRuns()} where r.mapping = $1 order by r.started_at desc, r.run_id desc limit $2`,
      [mapping, limit],
    );
    return rows.map(storedRunFromRow);
  }

  /** Run `runId` of `mapping`, or (no id) its newest run that has finished. */
  async findRun(mapping: string, runId?: string): Promise<StoredRun | undefined> {
    const { rows } = runId
      ? await this.#client.query<RunRow>(`${this.#selectRuns()} where r.mapping = $1 and r.run_id = $2`, [
          mapping,
          runId,
        ])
      : await this.#client.query<RunRow>(
          `${this.#selectRuns()} where r.mapping = $1 and r.status <> 'running'
           order by r.started_at desc, r.run_id desc limit 1`,
          [mapping],
        );
    return rows[0] ? storedRunFromRow(rows[0]) : undefined;
  }

  async changes(runId: string, offset: number, limit: number): Promise<Page<StoredChange>> {
    const { rows } = await this.#client.query<{
      list_entry_id: string;
      entity_id: string;
      entity_name: string | null;
      field_id: string;
      field_name: string;
      before: unknown;
      after: unknown;
      sent: unknown;
    }>(
      `select list_entry_id, entity_id, entity_name, field_id, field_name, before, after, sent
         from ${this.#schema}.changes where run_id = $1 order by seq offset $2 limit $3`,
      [runId, offset, limit],
    );
    return {
      total: await this.#count('changes', runId),
      offset,
      items: rows.map((r) => ({
        listEntryId: Number(r.list_entry_id),
        entityId: Number(r.entity_id),
        ...(r.entity_name === null ? {} : { entityName: r.entity_name }),
        fieldId: r.field_id,
        fieldName: r.field_name,
        before: r.before,
        after: r.after,
        sent: r.sent,
      })),
    };
  }

  async problems(runId: string, offset: number, limit: number): Promise<Page<StoredProblemRow>> {
    const { rows } = await this.#client.query<{
      code: string | null;
      row: string | null;
      key: string | null;
      column: string | null;
      list_entry_id: string | null;
      value: string | null;
      reason: string;
    }>(
      `select code, row, key, "column", list_entry_id, value, reason
         from ${this.#schema}.problems where run_id = $1 order by seq offset $2 limit $3`,
      [runId, offset, limit],
    );
    return {
      total: await this.#count('problems', runId),
      offset,
      items: rows.map((r) => ({
        ...(r.code === null ? {} : { code: r.code }),
        ...(r.row === null ? {} : { row: Number(r.row) }),
        ...(r.key === null ? {} : { key: r.key }),
        ...(r.column === null ? {} : { column: r.column }),
        ...(r.list_entry_id === null ? {} : { listEntryId: Number(r.list_entry_id) }),
        ...(r.value === null ? {} : { value: r.value }),
        reason: r.reason,
      })),
    };
  }

  #selectRuns(): string {
    const s = this.#schema;
    return `select r.*,
              (select count(*) from ${s}.changes c where c.run_id = r.run_id)::int as change_count,
              (select count(*) from ${s}.problems p where p.run_id = r.run_id)::int as problem_count
            from ${s}.runs r`;
  }

  async #count(table: 'changes' | 'problems', runId: string): Promise<number> {
    const { rows } = await this.#client.query<{ n: number }>(
      `select count(*)::int as n from ${this.#schema}.${table} where run_id = $1`,
      [runId],
    );
    return rows[0]?.n ?? 0;
  }
}
