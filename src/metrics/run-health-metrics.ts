import { Counter, Gauge, type Registry } from 'prom-client';
import type { RunReport } from '../sync/report.js';

/**
 * The health signal of each mapping's runs (README "Operations" → alert rules): when the last run
 * of each status finished, and counters of what runs could not do or only tolerated.
 */
export class RunHealthMetrics {
  readonly #lastRun: Gauge<'mapping' | 'status'>;
  readonly #rejectedValues: Counter<'mapping'>;
  readonly #unmatchedRows: Counter<'mapping'>;
  readonly #failedEntries: Counter<'mapping' | 'reason'>;
  readonly #warnings: Counter<'mapping'>;

  constructor(registers: Registry[]) {
    this.#lastRun = new Gauge({
      name: 'affinity_sync_last_run_timestamp_seconds',
      help: 'Unix time at which the last run of the mapping with this status (succeeded, partial, failed) finished',
      labelNames: ['mapping', 'status'],
      registers,
    });
    this.#rejectedValues = new Counter({
      name: 'affinity_sync_rejected_values_total',
      help: 'Source values that could not convert to their field (problem rejected-value)',
      labelNames: ['mapping'],
      registers,
    });
    this.#unmatchedRows = new Counter({
      name: 'affinity_sync_unmatched_rows_total',
      help: 'Source rows no list entry matched (unmatched, missing-key, invalid-key)',
      labelNames: ['mapping'],
      registers,
    });
    this.#failedEntries = new Counter({
      name: 'affinity_sync_failed_entries_total',
      help: 'List entries whose write failed, by reason: refused (400/404/422) or transient (5xx, network, timeout)',
      labelNames: ['mapping', 'reason'],
      registers,
    });
    this.#warnings = new Counter({
      name: 'affinity_sync_warnings_total',
      help: "Rejected values and failed entries the mapping's tolerate: allowed in succeeded runs",
      labelNames: ['mapping'],
      registers,
    });
  }

  record(report: RunReport): void {
    const { mapping } = report;
    this.#lastRun.set({ mapping, status: report.status }, Date.parse(report.finishedAt) / 1000);
    this.#rejectedValues.inc({ mapping }, report.fields.rejected);
    this.#unmatchedRows.inc({ mapping }, report.rows.unmatched);
    const transient = report.transient.failed;
    this.#failedEntries.inc({ mapping, reason: 'refused' }, report.entries.failed - transient);
    this.#failedEntries.inc({ mapping, reason: 'transient' }, transient);
    this.#warnings.inc({ mapping }, report.warnings);
  }
}
