import { Counter, Gauge, type Registry } from 'prom-client';
import type { RunReport } from '../sync/report.js';

/** How each run read current values, and what incremental reading saved (report.sync). */
export class IncrementalMetrics {
  readonly #runs: Counter<'mapping' | 'kind'>;
  readonly #rowsSkipped: Counter<'mapping'>;
  readonly #flagged: Counter<'mapping'>;
  readonly #callsSaved: Gauge<'mapping'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#runs = new Counter({
      name: 'affinity_sync_runs_by_kind_total',
      help: 'Runs by how they read current values: live, reconcile (full read rebuilding the state) or incremental',
      labelNames: ['mapping', 'kind'],
      registers,
    });
    this.#rowsSkipped = new Counter({
      name: 'affinity_sync_rows_skipped_by_state_total',
      help: 'Rows that cost no call: known unchanged from the incremental state',
      labelNames: ['mapping'],
      registers,
    });
    this.#flagged = new Counter({
      name: 'affinity_sync_entries_flagged_total',
      help: "Entries Affinity's change feed flagged as edited by someone else",
      labelNames: ['mapping'],
      registers,
    });
    this.#callsSaved = new Gauge({
      name: 'affinity_sync_last_read_calls_saved',
      help: 'Calls the last run saved reading current values, against a live scan (negative: it cost more)',
      labelNames: ['mapping'],
      registers,
    });
  }

  recordRun(report: RunReport): void {
    const { sync, mapping } = report;
    if (sync === undefined) return;
    this.#runs.inc({ mapping, kind: sync.kind });
    this.#rowsSkipped.inc({ mapping }, sync.rowsSkipped);
    this.#flagged.inc({ mapping }, sync.entriesFlagged);
    this.#callsSaved.set({ mapping }, sync.callsSaved);
  }
}
